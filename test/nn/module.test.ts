import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { Conv1d, Conv2d, Dropout, GroupNorm32, Linear, Module, ModuleList, Sequential, SiLU, StateDictError, zeroModule } from '../../src/nn/index.js';

class Net extends Module {
  readonly body: Sequential;
  readonly heads: ModuleList<Linear>;
  constructor(gen: torch.Generator) {
    super();
    this.body = this.registerModule('body', new Sequential(new Linear(4, 8, { gen }), new SiLU(), new Dropout(0.5), new Linear(8, 3, { gen, bias: false })));
    this.heads = this.registerModule('heads', new ModuleList([new Linear(3, 2, { gen })]));
  }
}

const values = (t: torch.Tensor) => Array.from(t.toFloat32Array());

describe('Module', () => {
  it('names parameters with PyTorch keys in registration order', () => {
    const net = new Net(new torch.Generator(0));
    expect([...net.stateDict().keys()]).toEqual(['body.0.weight', 'body.0.bias', 'body.3.weight', 'heads.0.weight', 'heads.0.bias']);
    expect(net.parameters().map((p) => p.shape)).toEqual([[8, 4], [8], [3, 8], [2, 3], [2]]);
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(net.numParameters()).toBe(32 + 8 + 24 + 6 + 2);
  });

  it('initialises like PyTorch (U(±1/√fan_in)), reproducibly from the generator', () => {
    const a = new Conv2d(3, 16, 3, { gen: new torch.Generator(5) });
    const b = new Conv2d(3, 16, 3, { gen: new torch.Generator(5) });
    const c = new Conv2d(3, 16, 3, { gen: new torch.Generator(6) });
    const w = values(a.stateDict().get('weight')!);
    const bound = 1 / Math.sqrt(27);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(w).toEqual(values(b.stateDict().get('weight')!));
    expect(w).not.toEqual(values(c.stateDict().get('weight')!));
    const gn = new GroupNorm32(2, 4);
    expect(values(gn.stateDict().get('weight')!)).toEqual([1, 1, 1, 1]);
    expect(values(gn.stateDict().get('bias')!)).toEqual([0, 0, 0, 0]);
  });

  it('loads a state dict into the same tensors and reports problems by name', () => {
    const gen = new torch.Generator(1);
    const net = new Net(gen);
    const before = net.stateDict().get('body.0.weight')!;
    const src = new Map([...new Net(new torch.Generator(2)).stateDict()]);
    const report = net.loadStateDict(src);
    expect(report).toEqual({ missing: [], unexpected: [], mismatched: [] });
    expect(net.stateDict().get('body.0.weight')).toBe(before);
    expect(values(before)).toEqual(values(src.get('body.0.weight')!));

    const partial = new Map(src);
    partial.delete('heads.0.bias');
    partial.set('extra.weight', torch.zeros([1]));
    expect(() => net.loadStateDict(partial)).toThrow(/missing keys: heads\.0\.bias; unexpected keys: extra\.weight/);
    expect(net.loadStateDict(partial, { strict: false })).toEqual({ missing: ['heads.0.bias'], unexpected: ['extra.weight'], mismatched: [] });

    const wrong = new Map(src);
    wrong.set('body.3.weight', torch.zeros([8, 3]));
    const original = values(net.stateDict().get('body.0.weight')!);
    wrong.set('body.0.weight', torch.ones([8, 4]));
    try {
      net.loadStateDict(wrong, { strict: false });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StateDictError);
      expect((e as StateDictError).report.mismatched).toEqual([{ key: 'body.3.weight', expected: [3, 8], got: [8, 3] }]);
    }
    // Nothing is copied when the load fails.
    expect(values(net.stateDict().get('body.0.weight')!)).toEqual(original);
  });

  it('loads file records of any float dtype', () => {
    const lin = new Linear(2, 1);
    lin.loadStateDict(new Map([
      ['weight', { dtype: 'F64' as const, shape: [1, 2], data: new Float64Array([0.5, -2]) }],
      ['bias', { dtype: 'F32' as const, shape: [1], data: new Float32Array([1]) }],
    ]));
    expect(values(lin.forward(torch.tensor([2, 1], [1, 2])))).toEqual([0]);
  });

  it('switches train/eval recursively; dropout is the identity in eval mode', () => {
    const net = new Net(new torch.Generator(0));
    const x = torch.ones([64, 8]);
    const drop = net.body.at(2);
    expect(drop.training).toBe(true);
    expect(values(drop.forward(x)).some((v) => v === 0)).toBe(true);
    net.eval();
    expect([...net.namedModules()].every(([, m]) => !m.training)).toBe(true);
    expect(values(drop.forward(x))).toEqual(values(x));
  });

  it('computes Linear, Conv1d and GroupNorm32 like their definitions', () => {
    const lin = new Linear(3, 2, { gen: new torch.Generator(3) });
    const x = torch.randn([4, 3], new torch.Generator(4));
    const sd = lin.stateDict();
    const manual = x.matmul(sd.get('weight')!.transpose(0, 1)).add(sd.get('bias')!);
    expect(lin.forward(x).allclose(manual, 1e-6, 1e-6)).toBe(true);

    const conv = new Conv1d(4, 6, 1, { gen: new torch.Generator(7) });
    const seq = torch.randn([2, 4, 5], new torch.Generator(8));
    const w = conv.stateDict().get('weight')!.squeeze(-1);
    const ref = torch.einsum('oc,bct->bot', [w, seq]).add(conv.stateDict().get('bias')!.reshape([1, 6, 1]));
    expect(conv.forward(seq).shape).toEqual([2, 6, 5]);
    expect(conv.forward(seq).allclose(ref, 1e-5, 1e-6)).toBe(true);

    const gn = new GroupNorm32(2, 4);
    const h = torch.randn([2, 4, 3, 3], new torch.Generator(9), 'float64');
    const y = gn.forward(h);
    expect(y.dtype).toBe('float64');
    const g = y.reshape([2, 2, -1]);
    expect(g.mean(-1).abs().max().item()).toBeLessThan(1e-6);
    expect(g.std(-1, false).sub(1).abs().max().item()).toBeLessThan(1e-4);
  });

  it('zeroModule zeroes every parameter in place; dispose frees them', () => {
    const conv = zeroModule(new Conv2d(2, 2, 3));
    expect(conv.parameters().every((p) => p.abs().sum().item() === 0)).toBe(true);
    const params = conv.parameters();
    conv.dispose();
    expect(params.every((p) => p.disposed)).toBe(true);
  });
});

describe('Module ownership', () => {
  it('keeps the weights of a module built inside a tidy scope', () => {
    const layer = torch.tidy(() => new Linear(3, 2, { gen: new torch.Generator(0) }));
    expect(layer.parameters().every((p) => !p.disposed)).toBe(true);
    layer.dispose();
    expect(layer.parameters().every((p) => p.disposed)).toBe(true);
  });
});
