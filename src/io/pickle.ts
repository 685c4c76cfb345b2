// A safe unpickler: it interprets the pickle stack machine (protocols 0-5 as Python writes them) but never
// imports or calls anything. A global is a PyGlobal descriptor; calling it runs a registered ClassHandler
// when one exists and otherwise records the call as a PyObject.
//
// Python values map to: None -> null, bool -> boolean, int -> number (bigint beyond 2^53), float -> number,
// str -> string, bytes/bytearray -> Uint8Array, list and tuple -> Array, dict -> Map, set -> Set.

/** A module-level name (class, function, enum member) named by a pickle; nothing is imported. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class no handler knows: what the pickle asked to construct, and with what. */
export class PyObject {
  state: unknown = undefined;
  /** Items appended to a list subclass. */
  listItems: unknown[] = [];
  /** Items set on a dict subclass. */
  dictItems = new Map<unknown, unknown>();
  constructor(readonly __class__: string, readonly args: unknown[], readonly kwargs?: Map<unknown, unknown>) {}
}

export interface UnpickleContext {
  /** Names the input in errors. */
  readonly label: string;
  /** Takes n raw bytes from the stream (for formats such as joblib that interleave data with opcodes). */
  readRaw(n: number): Uint8Array;
}

/** Safe reimplementation of one Python callable or class, keyed by its qualified name. */
export interface ClassHandler {
  /** REDUCE / NEWOBJ: the value that calling the class with args would produce. */
  construct?(args: unknown[], ctx: UnpickleContext): unknown;
  /** BUILD: applies state to an object this handler made (or a PyObject of its class); returns the result. */
  build?(obj: unknown, state: unknown, ctx: UnpickleContext): unknown;
}

export type Handlers = Readonly<Record<string, ClassHandler>>;

export interface UnpickleOptions {
  label?: string;
  /** Resolves PERSID / BINPERSID ids (torch storages); without it those opcodes are an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Handlers added to (and overriding) the built-in ones. */
  handlers?: Handlers;
}

const latin1 = (b: Uint8Array): string => Array.from(b, (c) => String.fromCharCode(c)).join('');

function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error('latin1 string holds a character above U+00FF');
    out[i] = c;
  }
  return out;
}

/** Python's own pure-data builtins. */
const BUILTIN_HANDLERS: Handlers = {
  'collections.OrderedDict': {
    construct: (args) => new Map((args[0] as [unknown, unknown][] | undefined) ?? []),
  },
  'builtins.set': { construct: (args) => new Set((args[0] as unknown[] | undefined) ?? []) },
  'builtins.frozenset': { construct: (args) => new Set((args[0] as unknown[] | undefined) ?? []) },
  'builtins.bytearray': {
    construct: (args) => (args[0] === undefined ? new Uint8Array(0) : typeof args[0] === 'string' ? fromLatin1(args[0]) : (args[0] as Uint8Array).slice()),
  },
  // Protocol 2 writes bytes as _codecs.encode(latin1 text, 'latin1').
  '_codecs.encode': {
    construct: ([text, encoding]) => {
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw new Error(`_codecs.encode with encoding ${String(encoding)}`);
      return fromLatin1(text);
    },
  },
  // getattr(Enum, 'member') is how enum members are pickled; it names the member without evaluating it.
  'builtins.getattr': {
    construct: ([owner, attr]) => {
      if (!(owner instanceof PyGlobal) || typeof attr !== 'string') throw new Error('getattr is only supported on a global and a name');
      return new PyGlobal(owner.module, `${owner.name}.${attr}`);
    },
  },
};

// Python 3 writes these Python 2 module names in protocols below 3.
const MODULE_RENAMES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const MARK = Symbol('mark');

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  if (v instanceof PyObject) return `instance of ${v.__class__}`;
  if (v instanceof Map) return 'dict';
  if (Array.isArray(v)) return 'list/tuple';
  return typeof v;
}

/** A Python int as this module returns it: a number when exact, else a bigint. */
export function pythonInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

// Python's own limit on converting ints to and from text is 4300 digits (~1786 bytes); decoding time grows
// superlinearly with the size, so a longer int is refused (the ints of a model file are counts and shapes).
const MAX_INT_BYTES = 1786;
const MAX_INT_DIGITS = 4300;

function textInt(s: string): number | bigint {
  if (s.length > MAX_INT_DIGITS + 2) throw new Error(`integer of ${s.length} digits is longer than the ${MAX_INT_DIGITS} allowed`);
  return pythonInt(BigInt(s));
}

/** Little-endian two's complement, as LONG1 / LONG4 store it. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  if (b.length > MAX_INT_BYTES) throw new Error(`integer of ${b.length} bytes is longer than the ${MAX_INT_BYTES} allowed`);
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return pythonInt(v);
}

class Machine implements UnpickleContext {
  private pos = 0;
  private stack: unknown[] = [];
  private marks: number[] = [];
  private memo = new Map<number, unknown>();
  private madeBy = new WeakMap<object, ClassHandler>();
  private readonly view: DataView;
  private readonly handlers: Handlers;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly bytes: Uint8Array, readonly label: string, private readonly options: UnpickleOptions) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.handlers = { ...BUILTIN_HANDLERS, ...options.handlers };
  }

  readRaw(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.bytes.length) {
      throw new Error(`truncated: need ${n} bytes at offset ${this.pos}, ${this.bytes.length - this.pos} left`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private u8(): number {
    return this.readRaw(1)[0]!;
  }
  private u16(): number {
    this.readRaw(2);
    return this.view.getUint16(this.pos - 2, true);
  }
  private u32(): number {
    this.readRaw(4);
    return this.view.getUint32(this.pos - 4, true);
  }
  private i32(): number {
    this.readRaw(4);
    return this.view.getInt32(this.pos - 4, true);
  }
  private u64(): number {
    this.readRaw(8);
    const v = this.view.getBigUint64(this.pos - 8, true);
    if (v > BigInt(this.bytes.length)) throw new Error(`length ${v} at offset ${this.pos - 8} exceeds the input`);
    return Number(v);
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new Error(`truncated: no newline after offset ${this.pos}`);
    const s = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw new Error('stack underflow');
    const v = this.stack.pop();
    if (v === MARK) throw new Error('unexpected mark');
    return v;
  }
  private top(): unknown {
    if (this.stack.length === 0) throw new Error('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const at = this.marks.pop();
    if (at === undefined) throw new Error('no mark on the stack');
    const items = this.stack.splice(at);
    items.shift();
    return items;
  }
  private push(v: unknown): void {
    this.stack.push(v);
  }
  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) throw new Error(`memo key ${i} is missing`);
    return this.memo.get(i);
  }

  private global(module: string, name: string): PyGlobal {
    return new PyGlobal(MODULE_RENAMES[module] ?? module, name);
  }

  private call(callable: unknown, args: unknown, kwargs?: Map<unknown, unknown>): unknown {
    if (!(callable instanceof PyGlobal)) throw new Error(`cannot call ${describe(callable)}`);
    if (!Array.isArray(args)) throw new Error(`arguments of ${callable.qualified} are a ${describe(args)}, not a tuple`);
    const handler = this.handlers[callable.qualified];
    if (!handler?.construct || (kwargs && kwargs.size > 0)) return new PyObject(callable.qualified, args, kwargs);
    const made = handler.construct(args, this);
    if (typeof made === 'object' && made !== null) this.madeBy.set(made, handler);
    return made;
  }

  private build(): void {
    const state = this.pop();
    const obj = this.pop();
    const handler = (typeof obj === 'object' && obj !== null ? this.madeBy.get(obj) : undefined)
      ?? (obj instanceof PyObject ? this.handlers[obj.__class__] : undefined);
    if (handler?.build) {
      this.push(handler.build(obj, state, this));
    } else if (obj instanceof PyObject) {
      obj.state = state;
      this.push(obj);
    } else {
      throw new Error(`BUILD on ${describe(obj)}`);
    }
  }

  private setItems(items: unknown[]): void {
    const target = this.top();
    const dict = target instanceof Map ? target : target instanceof PyObject ? target.dictItems : undefined;
    if (!dict) throw new Error(`SETITEM on ${describe(target)}`);
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
  }

  private appendItems(items: unknown[]): void {
    const target = this.top();
    const list = Array.isArray(target) ? target : target instanceof PyObject ? target.listItems : undefined;
    if (!list) throw new Error(`APPEND on ${describe(target)}`);
    list.push(...items);
  }

  private persistent(pid: unknown): unknown {
    if (!this.options.persistentLoad) throw new Error('persistent id without a persistentLoad callback');
    return this.options.persistentLoad(pid);
  }

  run(): unknown {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x80: { // PROTO
          const proto = this.u8();
          if (proto > 5) throw new Error(`unsupported pickle protocol ${proto}`);
          break;
        }
        case 0x95: this.u64(); break; // FRAME: the stream is read linearly, frame bounds carry no meaning here
        case 0x2e: { // STOP
          const result = this.pop();
          if (this.stack.length > 0) throw new Error('STOP with more than one value on the stack');
          return result;
        }
        case 0x28: this.marks.push(this.stack.length); this.stack.push(MARK); break; // MARK
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP
        // Constants and numbers.
        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break; // NEWTRUE
        case 0x89: this.push(false); break; // NEWFALSE
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x4a: this.push(this.i32()); break; // BININT
        case 0x8a: this.push(decodeLong(this.readRaw(this.u8()))); break; // LONG1
        case 0x8b: { // LONG4
          const n = this.i32();
          if (n < 0) throw new Error('negative LONG4 length');
          if (n > MAX_INT_BYTES) throw new Error(`integer of ${n} bytes is longer than the ${MAX_INT_BYTES} allowed`);
          this.push(decodeLong(this.readRaw(n)));
          break;
        }
        case 0x47: this.readRaw(8); this.push(this.view.getFloat64(this.pos - 8, false)); break; // BINFLOAT (big-endian)
        case 0x49: { // INT (text); I01 / I00 are protocol 0 booleans
          const s = this.line();
          this.push(s === '01' ? true : s === '00' ? false : textInt(s));
          break;
        }
        case 0x4c: this.push(textInt(this.line().replace(/L$/, ''))); break; // LONG (text)
        case 0x46: this.push(Number.parseFloat(this.line())); break; // FLOAT (text)
        // Strings and bytes.
        case 0x58: this.push(this.utf8.decode(this.readRaw(this.u32()))); break; // BINUNICODE
        case 0x8c: this.push(this.utf8.decode(this.readRaw(this.u8()))); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.utf8.decode(this.readRaw(this.u64()))); break; // BINUNICODE8
        case 0x54: this.push(latin1(this.readRaw(this.u32()))); break; // BINSTRING (Python 2 str, latin1)
        case 0x55: this.push(latin1(this.readRaw(this.u8()))); break; // SHORT_BINSTRING
        case 0x42: this.push(this.readRaw(this.u32()).slice()); break; // BINBYTES
        case 0x43: this.push(this.readRaw(this.u8()).slice()); break; // SHORT_BINBYTES
        case 0x8e: case 0x96: this.push(this.readRaw(this.u64()).slice()); break; // BINBYTES8, BYTEARRAY8
        // Containers.
        case 0x29: this.push([]); break; // EMPTY_TUPLE
        case 0x5d: this.push([]); break; // EMPTY_LIST
        case 0x7d: this.push(new Map()); break; // EMPTY_DICT
        case 0x8f: this.push(new Set()); break; // EMPTY_SET
        case 0x85: this.push([this.pop()]); break; // TUPLE1
        case 0x86: { const b = this.pop(); const a = this.pop(); this.push([a, b]); break; } // TUPLE2
        case 0x87: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push([a, b, c]); break; } // TUPLE3
        case 0x74: case 0x6c: this.push(this.popMark()); break; // TUPLE, LIST
        case 0x91: this.push(new Set(this.popMark())); break; // FROZENSET
        case 0x64: { // DICT
          const items = this.popMark();
          this.push(new Map());
          this.setItems(items);
          break;
        }
        case 0x61: this.appendItems([this.pop()]); break; // APPEND
        case 0x65: { const items = this.popMark(); this.appendItems(items); break; } // APPENDS
        case 0x73: { const v = this.pop(); const k = this.pop(); this.setItems([k, v]); break; } // SETITEM
        case 0x75: { const items = this.popMark(); this.setItems(items); break; } // SETITEMS
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof Set)) throw new Error(`ADDITEMS on ${describe(set)}`);
          for (const i of items) set.add(i);
          break;
        }
        // Memo.
        case 0x68: this.push(this.memoGet(this.u8())); break; // BINGET
        case 0x6a: this.push(this.memoGet(this.u32())); break; // LONG_BINGET
        case 0x67: this.push(this.memoGet(Number.parseInt(this.line(), 10))); break; // GET
        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x70: this.memo.set(Number.parseInt(this.line(), 10), this.top()); break; // PUT
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        // Globals and objects: descriptors and handlers only, nothing is executed.
        case 0x63: { const module = this.line(); this.push(this.global(module, this.line())); break; } // GLOBAL
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw new Error('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x52: { const args = this.pop(); this.push(this.call(this.pop(), args)); break; } // REDUCE
        case 0x81: { const args = this.pop(); this.push(this.call(this.pop(), args)); break; } // NEWOBJ
        case 0x92: { // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          if (!(kwargs instanceof Map)) throw new Error('NEWOBJ_EX keyword arguments are not a dict');
          this.push(this.call(this.pop(), args, kwargs));
          break;
        }
        case 0x62: this.build(); break; // BUILD
        case 0x51: this.push(this.persistent(this.pop())); break; // BINPERSID
        case 0x50: this.push(this.persistent(this.line())); break; // PERSID
        default:
          throw new Error(`unsupported or unsafe opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
      }
    }
  }
}

/** Unpickles bytes without executing anything; errors name options.label and the offset. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  const label = options.label ?? 'pickle';
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (plain.length === 0) throw new Error(`${label}: empty pickle (0 bytes)`);
  try {
    return new Machine(plain, label, options).run();
  } catch (e) {
    throw new Error(`${label}: cannot unpickle: ${(e as Error).message}`);
  }
}
