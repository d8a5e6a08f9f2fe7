// Implements protobuf.dev "Encoding" (https://protobuf.dev/programming-guides/encoding/) for any message declared as a field table: defaults, size, an upper bound of the size, write and read, derived from the table.

import { BOUNDED_MAX_MESSAGE, defineCodec, type Codec, type CodecParts } from "./codec.js";
import type { FieldDecl, FieldOf, SubMessage } from "./fields.js";
import { propertyName } from "./fields.js";
import type { FieldRow, InferMessage } from "./message-type.js";
import type { Reader } from "./reader.js";
import { SCALARS, type ScalarRule } from "./scalars.js";
import { tagOf, WireType } from "./wire-types.js";
import { sizeMessage, sizeVarint32, type Writer } from "./writer.js";

// What a schema file needs besides defineMessage: the type of a message read from its table.
export type { FieldRow, InferMessage, MessageOf } from "./message-type.js";

/** A codec built from a field table; `fields` is the table, for reflection and for readers. */
export interface MessageType<T> extends Codec<T> {
  readonly fields: readonly FieldDecl[];
}

/** Hand-written replacements of the derived size/maxSize/write/read (see `defineMessage`). */

// How a field is written and read, chosen once per field when the table is compiled.
const SCALAR = 0; // proto3 implicit presence: written when not its default (NaN is not 0: written)
const PRESENT = 1; // explicit presence (oneof member, `optional`): written when !== undefined
const MESSAGE = 2; // a sub-message: written when present
const PACKED = 3; // repeated scalar, packed
const LIST = 4; // repeated string/bytes/message, or a repeated scalar with packed: false
const MAP = 5; // map<K, V>: repeated { K key = 1; V value = 2; } entries

/** A compiled table row. All rows share one shape, so the loops below read them monomorphically. */
interface Field {
  readonly key: string;
  readonly mode: number;
  /** The tag as written (packed and map fields: LEN). */
  readonly tag: number;
  readonly tagSize: number;
  /** A singular `bytes` field: empty means default. */
  readonly bytes: boolean;
  readonly rule: ScalarRule;
  readonly sub: SubMessage<unknown> | undefined;
  /** Map value rule (keys use `rule`). */
  readonly value: ScalarRule;
  /** The other members of this field's oneof (cleared when it is read). */
  readonly others: readonly string[];
}

interface Plan {
  readonly fields: readonly Field[];
  /** For maxSize: the bound of every fixed-size scalar field (tag included), set or not… */
  readonly fixedBound: number;
  /** …and the fields whose bound depends on the value (strings, bytes, sub-messages, lists, maps). */
  readonly sizedFields: readonly Field[];
  /** Field by full tag; a tag absent here (unknown field or unexpected wire type) is kept in $unknown. */
  readonly byTag: readonly (Field | null)[];
}

type Msg = Record<string, unknown> & { $unknown?: Uint8Array };

const LEN = WireType.LEN;
const EMPTY: readonly never[] = [];

function compile(typeName: string, decls: readonly FieldDecl[]): Plan {
  const fields: Field[] = [];
  const byTag: (Field | null)[] = [];
  const put = (tag: number, f: Field): void => {
    while (byTag.length <= tag) byTag.push(null);
    byTag[tag] = f;
  };
  for (const d of decls) {
    if (d.no < 1 || d.no > 2047) throw new Error(`${typeName}.${d.name}: field number ${d.no} outside 1..2047`);
    const rule = d.type === "message" ? SCALARS.bytes : d.type === "map" ? SCALARS[d.key ?? "string"] : SCALARS[d.type];
    const mode =
      d.type === "map" ? MAP
      : d.repeated ? (rule.wireType !== LEN && d.packed !== false ? PACKED : LIST)
      : d.type === "message" ? MESSAGE
      : d.oneof !== undefined || d.presence === "explicit" ? PRESENT
      : SCALAR;
    const wire = mode === PACKED || mode === MAP ? LEN : rule.wireType;
    const tag = tagOf(d.no, wire);
    const others = d.oneof === undefined ? EMPTY : decls.filter((o) => o.oneof === d.oneof && o !== d).map((o) => propertyName(o.name));
    const f: Field = {
      key: propertyName(d.name),
      mode,
      tag,
      tagSize: sizeVarint32(tag),
      bytes: d.type === "bytes",
      rule,
      sub: d.message?.() as SubMessage<unknown> | undefined,
      value: SCALARS[d.value ?? "string"],
      others,
    };
    fields.push(f);
    put(tag, f);
    // Parsers accept a repeated number packed or not, whichever way it is declared.
    if (d.repeated && d.type !== "message" && rule.wireType !== LEN) put(tagOf(d.no, mode === PACKED ? rule.wireType : LEN), f);
  }
  const fixed = fields.filter((f) => f.mode <= PRESENT && f.rule.perUnit === 0);
  const fixedBound = fixed.reduce((n, f) => n + f.tagSize + f.rule.bound, 0);
  return { fields, byTag, fixedBound, sizedFields: fields.filter((f) => !fixed.includes(f)) };
}

/** proto3 implicit presence: a singular scalar is written unless it holds its default. */
function isSet(f: Field, v: unknown): boolean {
  return f.bytes ? (v as Uint8Array).byteLength !== 0 : v !== f.rule.zero;
}

function sizeOf(plan: Plan, m: Msg): number {
  const fields = plan.fields;
  let n = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const v = m[f.key] as never;
    if (v == null) continue; // undefined or null: absent
    switch (f.mode) {
      case SCALAR:
        if (isSet(f, v)) n += f.tagSize + f.rule.size(v);
        break;
      case PRESENT:
        n += f.tagSize + f.rule.size(v);
        break;
      case MESSAGE:
        n += f.tagSize + sizeMessage(f.sub!, v);
        break;
      case PACKED: {
        const body = packedBody(f, v);
        if (body > 0) n += f.tagSize + sizeVarint32(body) + body;
        break;
      }
      case LIST: {
        const list = v as readonly never[];
        if (f.sub) for (let j = 0; j < list.length; j++) n += f.tagSize + sizeMessage(f.sub, list[j]);
        else for (let j = 0; j < list.length; j++) n += f.tagSize + f.rule.size(list[j]);
        break;
      }
      case MAP:
        for (const k in v as Record<string, never>) n += f.tagSize + entrySize(f, k as never, (v as Record<string, never>)[k]);
        break;
    }
  }
  const unknown = m.$unknown;
  return unknown ? n + unknown.byteLength : n;
}

function packedBody(f: Field, list: readonly never[]): number {
  let body = 0;
  for (let j = 0; j < list.length; j++) body += f.rule.size(list[j]);
  return body;
}

function entryBody(f: Field, k: never, v: never): number {
  return 1 + f.rule.size(k) + 1 + f.value.size(v);
}

function entrySize(f: Field, k: never, v: never): number {
  const body = entryBody(f, k, v);
  return sizeVarint32(body) + body;
}

/** An upper bound of sizeOf(), or Infinity as soon as it passes BOUNDED_MAX_MESSAGE (bigger
 *  messages take the exact path of codec.ts, so there is no point in adding further). */
function boundOf(plan: Plan, m: Msg): number {
  const fields = plan.sizedFields;
  let n = plan.fixedBound;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const v = m[f.key] as never;
    if (v == null) continue; // undefined or null: absent
    const rule = f.rule;
    switch (f.mode) {
      case SCALAR:
      case PRESENT: // a string or bytes
        n += f.tagSize + rule.bound + rule.perUnit * (v as string).length;
        break;
      case MESSAGE:
        n += f.tagSize + 5 + (f.sub!.maxSize === undefined ? f.sub!.size(v) : f.sub!.maxSize(v));
        break;
      case PACKED:
        n += f.tagSize + 5 + rule.bound * (v as unknown[]).length;
        break;
      case LIST: {
        const list = v as readonly never[];
        for (let j = 0; j < list.length && n <= BOUNDED_MAX_MESSAGE; j++) {
          const x = list[j];
          if (f.sub) n += f.tagSize + 5 + (f.sub.maxSize === undefined ? f.sub.size(x) : f.sub.maxSize(x));
          else n += f.tagSize + rule.bound + (rule.perUnit === 0 ? 0 : rule.perUnit * (x as string).length);
        }
        break;
      }
      case MAP:
        for (const k in v as Record<string, never>) {
          const x = (v as Record<string, string>)[k];
          n += f.tagSize + 7 + rule.bound + rule.perUnit * k.length + f.value.bound;
          if (f.value.perUnit !== 0) n += f.value.perUnit * x.length;
        }
        break;
    }
    if (n > BOUNDED_MAX_MESSAGE) return Infinity;
  }
  const unknown = m.$unknown;
  return unknown ? n + unknown.byteLength : n;
}

function writeTo(plan: Plan, m: Msg, w: Writer): void {
  for (const f of plan.fields) {
    const v = m[f.key] as never;
    if (v == null) continue;
    switch (f.mode) {
      case SCALAR:
        if (isSet(f, v)) f.rule.write(w.uint32(f.tag), v);
        break;
      case PRESENT:
        f.rule.write(w.uint32(f.tag), v);
        break;
      case MESSAGE:
        w.uint32(f.tag).message(f.sub!, v);
        break;
      case PACKED: {
        const list = v as readonly never[];
        if (list.length === 0) break;
        w.uint32(f.tag).uint32(packedBody(f, list));
        for (let j = 0; j < list.length; j++) f.rule.write(w, list[j]);
        break;
      }
      case LIST: {
        const list = v as readonly never[];
        if (f.sub) for (let j = 0; j < list.length; j++) w.uint32(f.tag).message(f.sub, list[j]);
        else for (let j = 0; j < list.length; j++) f.rule.write(w.uint32(f.tag), list[j]);
        break;
      }
      case MAP:
        // Both key and value are always written, as protoc-generated code does.
        for (const k in v as Record<string, never>) {
          const x = (v as Record<string, never>)[k];
          w.uint32(f.tag).uint32(entryBody(f, k as never, x));
          f.rule.write(w.uint32(tagOf(1, f.rule.wireType)), k as never);
          f.value.write(w.uint32(tagOf(2, f.value.wireType)), x);
        }
        break;
    }
  }
  if (m.$unknown) w.raw(m.$unknown);
}

function readFrom(plan: Plan, m: Msg, r: Reader): Msg {
  const byTag = plan.byTag;
  while (r.pos < r.end) {
    const tag = r.tag();
    const f = tag < byTag.length ? byTag[tag] : null;
    if (f === null) {
      m.$unknown = r.unknown(tag, m.$unknown);
      continue;
    }
    switch (f.mode) {
      case SCALAR:
        m[f.key] = f.rule.read(r);
        break;
      case PRESENT:
        for (let j = 0; j < f.others.length; j++) if (m[f.others[j]] !== undefined) delete m[f.others[j]];
        m[f.key] = f.rule.read(r);
        break;
      case MESSAGE:
        for (let j = 0; j < f.others.length; j++) if (m[f.others[j]] !== undefined) delete m[f.others[j]];
        m[f.key] = r.message(f.sub!);
        break;
      case PACKED:
        r.packed(tag, m[f.key] as unknown[], f.rule.read);
        break;
      case LIST:
        if (f.sub) (m[f.key] as unknown[]).push(r.message(f.sub));
        else if (f.rule.wireType === LEN) (m[f.key] as unknown[]).push(f.rule.read(r));
        else r.packed(tag, m[f.key] as unknown[], f.rule.read); // a number list that came packed
        break;
      case MAP:
        readEntry(f, r, m[f.key] as Record<string, unknown>);
        break;
    }
  }
  return m;
}

// A map entry is an embedded message { key = 1; value = 2; } (protobuf.dev "Encoding" § "Maps");
// a missing key or value is its default, a repeated key keeps the last value.
function readEntry(f: Field, r: Reader, into: Record<string, unknown>): void {
  const len = r.length();
  const parentEnd = r.end;
  r.end = r.pos + len;
  let key: unknown = f.rule.zero;
  let value: unknown = f.value.zero;
  const keyTag = tagOf(1, f.rule.wireType);
  const valueTag = tagOf(2, f.value.wireType);
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === keyTag) key = f.rule.read(r);
    else if (tag === valueTag) value = f.value.read(r);
    else r.skip(tag);
  }
  r.end = parentEnd;
  into[String(key)] = value;
}

/**
 * A hand-written replacement of the derived size/maxSize/write/read of one message (see
 * src/schema/user-fast-path.ts). `read` gets `rest(m, r)`, which reads the remaining fields into
 * `m` the generic way (unknown, repeated or out-of-order fields), so a fast path only needs to
 * handle the usual case: every field once, in field-number order, as encoders write them.
 */
export interface FastPath<T> extends Pick<CodecParts<T>, "size" | "maxSize" | "write"> {
  read(r: Reader, rest: (m: T, r: Reader) => T): T;
}

/**
 * Declares a message by its field table (see docs/CODEC.md "Declaring a message"), the one
 * declaration of the message: its TypeScript type is read from the table
 * (`export type User = MessageOf<typeof UserCodec>`, see message-type.ts). The second form,
 * `defineMessage<T>(name, table)`, checks the table against a type written by hand instead (each
 * row's snake_case name must be a property of T, its type must fit that property's type): for a
 * message that contains itself, whose type TypeScript cannot read from its own table.
 * The table is compiled the first time the codec is used, so a row may refer to a message declared
 * further down. `fastPath` replaces the derived size/maxSize/write/read by hand-written ones (only
 * where measurements demand it).
 */
export function defineMessage<const F extends readonly FieldRow[]>(
  typeName: string,
  table: F,
  fastPath?: FastPath<InferMessage<F>>,
): MessageType<InferMessage<F>>;
export function defineMessage<T extends object>(typeName: string, table: readonly FieldOf<T>[], fastPath?: FastPath<T>): MessageType<T>;
export function defineMessage<T extends object>(
  typeName: string,
  table: readonly FieldRow[] | readonly FieldOf<T>[],
  fastPath?: FastPath<T>,
): MessageType<T> {
  const decls = table as unknown as readonly FieldDecl[];
  let plan: Plan | undefined;
  let template: Msg | undefined;
  let fresh: Field[] = [];
  const ready = (): Plan => {
    plan = compile(typeName, decls);
    // Defaults, in table order so every message of the type has the same hidden class: proto3
    // scalars at their zero value; repeated fields and maps get a fresh [] or null-prototype
    // object each; oneof members, `optional` fields and sub-messages are absent.
    template = {};
    for (const f of plan.fields) {
      if (f.mode === SCALAR) template[f.key] = f.rule.zero;
      else if (f.mode >= PACKED) template[f.key] = EMPTY;
    }
    fresh = plan.fields.filter((f) => f.mode >= PACKED);
    return plan;
  };
  const blank = (): Msg => {
    if (plan === undefined) ready();
    const m: Msg = { ...template };
    for (let i = 0; i < fresh.length; i++) m[fresh[i].key] = fresh[i].mode === MAP ? Object.create(null) : [];
    return m;
  };
  const parts: CodecParts<T> = {
    typeName,
    create: (init) => (init ? Object.assign(blank(), init) : blank()) as unknown as T,
    size: (m) => sizeOf(plan ?? ready(), m as unknown as Msg),
    maxSize: (m) => boundOf(plan ?? ready(), m as unknown as Msg),
    write: (m, w) => writeTo(plan ?? ready(), m as unknown as Msg, w),
    read: (r) => readFrom(plan ?? ready(), blank(), r) as unknown as T,
  };
  if (fastPath !== undefined) {
    // A hand-written replacement of the four derived functions, for a message whose generic
    // path measured too slow (see src/schema/user-fast-path.ts); tests compare it with the generic one.
    const rest = (m: T, r: Reader): T => readFrom(plan ?? ready(), m as unknown as Msg, r) as unknown as T;
    const fast = fastPath;
    parts.size = fast.size;
    if (fast.maxSize !== undefined) parts.maxSize = fast.maxSize;
    parts.write = fast.write;
    parts.read = (r) => fast.read(r, rest);
  }
  return { ...defineCodec(parts), fields: decls };
}

/** The name of enum value `n` in `values` (an enum's `const` object), or undefined if it has none. */
export function enumName<E extends Readonly<Record<string, number>>>(values: E, n: number): keyof E | undefined {
  for (const k in values) if (values[k] === n) return k;
  return undefined;
}
