// Architecture hyper-parameters of the BeatGANs autoencoder, under the reference's names
// (BeatGANsAutoencConfig), with the presets and the golden config.json format.

export interface DiffAEConfig {
  image_size: number;
  in_channels: number;
  out_channels: number;
  /** Base width of the UNet and of the semantic encoder. */
  model_channels: number;
  channel_mult: number[];
  num_res_blocks: number;
  /** Resolutions (feature-map sides) with self-attention, in the UNet and (unless enc_attn_resolutions) the encoder. */
  attention_resolutions: number[];
  num_heads: number;
  /** Channels per head; -1: use num_heads. */
  num_head_channels: number;
  /** Width of the time embedding (and of z's conditioning input, resnet_cond_channels unset). */
  embed_channels: number;
  /** Size of z. */
  enc_out_channels: number;
  enc_channel_mult: number[];
  enc_num_res_block: number;
  enc_attn_resolutions: number[] | null;
  /** Input width of every ResBlock's z projection; null: embed_channels (the reference requires it to equal enc_out_channels). */
  resnet_cond_channels: number | null;
  dropout: number;
  resblock_updown: boolean;
  resnet_use_zero_module: boolean;
}

/** The reference's fxclass64_autoenc (ffhq64_autoenc with 1 channel). */
export const PAPER: Readonly<DiffAEConfig> = Object.freeze({
  image_size: 64,
  in_channels: 1,
  out_channels: 1,
  model_channels: 64,
  channel_mult: [1, 2, 4, 8],
  num_res_blocks: 2,
  attention_resolutions: [16],
  num_heads: 1,
  num_head_channels: -1,
  embed_channels: 512,
  enc_out_channels: 512,
  enc_channel_mult: [1, 2, 4, 8, 8],
  enc_num_res_block: 2,
  enc_attn_resolutions: null,
  resnet_cond_channels: null,
  dropout: 0.1,
  resblock_updown: true,
  resnet_use_zero_module: true,
});

/** A narrower model for training on a few CPU cores (same topology, ~1/10 of the paper's compute). */
export const CPU: Readonly<DiffAEConfig> = Object.freeze({
  ...PAPER,
  model_channels: 32,
  channel_mult: [1, 2, 2, 2],
  embed_channels: 128,
  enc_out_channels: 128,
  enc_channel_mult: [1, 1, 2, 2, 2],
});

/**
 * The bundled model's architecture: half the UNet depth of CPU (one res block per level, three levels) and a
 * 64-d z; trains at ~10 images/s on 2 cores (CPU: ~6.5), measured with batch 8.
 */
export const SMALL: Readonly<DiffAEConfig> = Object.freeze({
  ...PAPER,
  model_channels: 32,
  channel_mult: [1, 2, 2],
  num_res_blocks: 1,
  embed_channels: 64,
  enc_out_channels: 64,
  enc_channel_mult: [1, 2, 2, 2],
  enc_num_res_block: 1,
});

/**
 * A lower bound on the number of weights of the network a config builds: the second 3×3 conv of every
 * UNet and encoder ResBlock (out² · 9). Checked against a model file before the network is allocated.
 */
export function minParameterCount(c: DiffAEConfig): number {
  const conv = (w: number) => 9 * w * w;
  let n = 0;
  c.channel_mult.forEach((m) => (n += (2 * c.num_res_blocks + 1) * conv(m * c.model_channels)));
  n += 2 * conv(c.channel_mult[c.channel_mult.length - 1]! * c.model_channels);
  c.enc_channel_mult.forEach((m) => (n += c.enc_num_res_block * conv(m * c.model_channels)));
  return n;
}

export const PRESETS = { paper: PAPER, cpu: CPU, small: SMALL } as const;
export type PresetName = keyof typeof PRESETS;

const KEYS: readonly (keyof DiffAEConfig)[] = Object.keys(PAPER) as (keyof DiffAEConfig)[];
/** Names that mean the same thing in the reference's TrainConfig / our golden config.json. */
const ALIASES: Readonly<Record<string, keyof DiffAEConfig>> = {
  enc_num_res_blocks: 'enc_num_res_block',
  net_enc_num_res_blocks: 'enc_num_res_block',
  img_size: 'image_size',
  net_ch: 'model_channels',
  style_ch: 'enc_out_channels',
};

/**
 * A full config from a JSON object in the reference's names (e.g. golden config.json); absent fields take
 * the reference's defaults (those of PAPER). Unknown fields are an error, so that typos do not pass silently.
 */
export function parseConfig(json: unknown): DiffAEConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('model config must be a JSON object');
  const cfg: Record<string, unknown> = { ...PAPER };
  for (const [k, v] of Object.entries(json)) {
    const key = ALIASES[k] ?? k;
    if (!KEYS.includes(key as keyof DiffAEConfig)) throw new Error(`unknown model config field '${k}'`);
    cfg[key] = v;
  }
  return validateConfig(cfg as unknown as DiffAEConfig);
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new Error(`invalid model config: ${msg}`);
}
const posInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const intList = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every(posInt);

// Upper limits, several times the paper's sizes: a config beyond them is a corrupt or hostile file (the network
// is allocated from the config, so `model_channels: 2048` alone would take gigabytes).
const LIMITS = {
  image_size: 1024, in_channels: 16, out_channels: 16, model_channels: 512, num_res_blocks: 8, num_heads: 64,
  embed_channels: 4096, enc_out_channels: 4096, enc_num_res_block: 8,
} as const;
const MAX_LEVELS = 8;
const MAX_MULT = 32;
const MAX_WIDTH = 2048;

export function validateConfig(c: DiffAEConfig): DiffAEConfig {
  for (const [k, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
    check(!(typeof c[k] === 'number' && c[k] > max), `${k} ${c[k]} is above the limit ${max}`);
  }
  for (const k of ['channel_mult', 'enc_channel_mult'] as const) {
    const v = c[k];
    if (!Array.isArray(v)) continue;
    check(v.length <= MAX_LEVELS && v.every((m) => !(m > MAX_MULT)), `${k} may have at most ${MAX_LEVELS} levels of at most ${MAX_MULT}`);
    check(v.every((m) => !(m * c.model_channels > MAX_WIDTH)), `${k}: model_channels × multiplier is above ${MAX_WIDTH} channels`);
  }
  for (const k of ['image_size', 'in_channels', 'out_channels', 'model_channels', 'num_res_blocks', 'num_heads', 'embed_channels', 'enc_out_channels', 'enc_num_res_block'] as const) {
    check(posInt(c[k]), `${k} must be a positive integer, got ${JSON.stringify(c[k])}`);
  }
  check(intList(c.channel_mult), 'channel_mult must be a non-empty list of positive integers');
  check(intList(c.enc_channel_mult), 'enc_channel_mult must be a non-empty list of positive integers');
  check(Array.isArray(c.attention_resolutions) && c.attention_resolutions.every(posInt), 'attention_resolutions must be a list of positive integers');
  check(c.enc_attn_resolutions === null || (Array.isArray(c.enc_attn_resolutions) && c.enc_attn_resolutions.every(posInt)), 'enc_attn_resolutions must be null or a list');
  check(c.num_head_channels === -1 || posInt(c.num_head_channels), 'num_head_channels must be -1 or positive');
  check(typeof c.dropout === 'number' && c.dropout >= 0 && c.dropout < 1, 'dropout must be in [0, 1)');
  check(c.resblock_updown === true, 'only resblock_updown = true (the reference setting) is implemented');
  check(typeof c.resnet_use_zero_module === 'boolean', 'resnet_use_zero_module must be a boolean');
  const condIn = c.resnet_cond_channels ?? c.embed_channels;
  check(condIn === c.enc_out_channels, `z (enc_out_channels ${c.enc_out_channels}) must match the ResBlocks' cond input (${condIn})`);
  check(c.image_size % 2 ** (Math.max(c.channel_mult.length, c.enc_channel_mult.length) - 1) === 0, 'image_size must be divisible by 2^(levels-1)');
  return c;
}
