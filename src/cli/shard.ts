// --shard i/n: part i of n of a manifest's rows, for schedulers that start n copies of one command (Slurm
// arrays, Kubernetes indexed Jobs; nnU-Net's -part_id/-num_parts). Rows i, i+n, i+2n, … in manifest order:
// the parts are disjoint, together the whole input, and each part's vertebrae are spread through the list.
import { InvalidArgumentError } from 'commander';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`'${v}' is not i/n (part i of n, counted from 0: 0/4 … 3/4)`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1) throw new InvalidArgumentError(`'${v}': n must be at least 1`);
  if (index >= count) throw new InvalidArgumentError(`'${v}': i counts from 0, so it must be below n (${count})`);
  return { index, count };
}

export function shardRows<T>(rows: readonly T[], shard: Shard): T[] {
  return rows.filter((_, k) => k % shard.count === shard.index);
}
