# The PyTorch side of `npx tsx bench/dae.ts small`: the reference's own BeatGANs autoencoder (phizaz/diffae,
# read from a checkout given as the first argument; nothing of it is committed here) with the small preset,
# timed the same way: UNet evaluations at batch 1 and 16, and training steps (encoder + UNet forward, ε-MSE at
# uniform t, backward, clip 1, Adam) at batch BENCH_TRAIN_BATCH. Needs python3-torch (Debian) only.
#   /usr/bin/python3 bench/dae_pytorch.py /path/to/diffae THREADS
import math
import os
import sys
import time

import torch

sys.path.insert(0, sys.argv[1])
from model.unet_autoenc import BeatGANsAutoencConfig  # noqa: E402  (the reference's code, from argv[1])

threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
seconds = float(os.environ.get('BENCH_SECONDS', 5))
train_batch = int(os.environ.get('BENCH_TRAIN_BATCH', 8))
torch.set_num_threads(threads)
torch.manual_seed(0)

# src/model/config.ts SMALL, under the reference's names.
cfg = BeatGANsAutoencConfig(
    image_size=64, in_channels=1, out_channels=1, model_channels=32, channel_mult=(1, 2, 2), num_res_blocks=1,
    attention_resolutions=(16,), num_heads=1, num_head_channels=-1, embed_channels=64, enc_out_channels=64,
    enc_channel_mult=(1, 2, 2, 2), enc_num_res_block=1, enc_attn_resolutions=None, resnet_cond_channels=None,
    dropout=0.1, resblock_updown=True, resnet_use_zero_module=True, num_input_res_blocks=None,
    time_embed_channels=None, input_channel_mult=None, conv_resample=True, dims=2, num_classes=None,
    use_checkpoint=False, num_heads_upsample=-1, use_new_attention_order=False, resnet_two_cond=True,
    attn_checkpoint=False, enc_pool='adaptivenonzero', enc_grad_checkpoint=False, latent_net_conf=None)
model = cfg.make_model()


def rate(fn):
    fn()
    reps, t0 = 0, time.perf_counter()
    while reps < 2 or time.perf_counter() - t0 < seconds:
        fn()
        reps += 1
    return reps / (time.perf_counter() - t0)


print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, >= {seconds} s per case')
print(f'small: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters')
model.eval()
for batch in (1, 16):
    x = torch.randn(batch, 1, 64, 64)
    z = torch.randn(batch, 64)
    t = torch.full((batch,), 500, dtype=torch.int64)
    with torch.no_grad():
        r = rate(lambda: model(x, t, cond=z))
    print(f'  unet eval   batch {batch:2d}: {r:.2f} calls/s = {r * batch:.1f} image-evaluations/s')

model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
alphas_cumprod = torch.cumprod(1 - betas, 0)
x0 = torch.rand(train_batch, 1, 64, 64) * 2 - 1


def step():
    opt.zero_grad()
    t = torch.randint(0, 1000, (train_batch,))
    noise = torch.randn_like(x0)
    a = alphas_cumprod[t].float().view(-1, 1, 1, 1)
    x_t = a.sqrt() * x0 + (1 - a).sqrt() * noise
    pred = model(x_t, t, x_start=x0).pred
    ((pred - noise) ** 2).mean().backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


r = rate(step)
print(f'  train       batch {train_batch:2d}: {r * train_batch:.2f} images/s ({1 / r:.2f} s/step)')
assert math.isfinite(r)
