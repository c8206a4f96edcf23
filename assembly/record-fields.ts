/*
 * Finds, in one CloudTrail delivery (`{"Records":[{…},{…}]}`), the records made with a wanted key
 * and where the fields a summary reads lie in them, checking that the whole text is JSON as it
 * goes. Built with AssemblyScript into the WebAssembly module that record-fields-wasm.ts carries
 * (`npm run build:wasm`); it runs 16 bytes at a time: what the quotes, backslashes and structural
 * characters of each 64 bytes are is found at once, then only those characters are visited.
 *
 * The module answers only what it is sure of. A text that is not a delivery, or not JSON, answers
 * -1; the caller then reads the file as it would without the module, which decides what such a
 * file is. A record it cannot describe exactly (a key written with an escape where a field could
 * be, a field of a type it does not take apart) is handed over whole, marked, for JSON.parse.
 */

/** Answers of `scan` other than a record count. */
const NOT_A_DELIVERY: i32 = -1;
const OUTPUT_FULL: i32 = -2;

/**
 * What the caller is told about each record handed over: its span and its flags, then each
 * field's span, kind, and text id (see `intern`).
 */
const FIELDS: i32 = 13;
const ENTRY_BYTES: usize = (3 + 4 * FIELDS) << 2;
/** A record marked so must be parsed whole: its fields are not described. */
const FLAG_PARSE: i32 = 1;

/** Field ids, as the caller's name table gives them (see record-fields.ts). */
const F_ACCESS_KEY: i32 = 8;
const F_USER_NAME: i32 = 9;
const F_REQUEST: i32 = 10;
const F_RESPONSE: i32 = 11;
const F_RESOURCES: i32 = 12;
const F_IDENTITY: i32 = 13;
/** The last field id whose value is a string read at the record's own level. */
const F_LAST_TEXT: i32 = 7;

/** How a field's value is given: absent, its text's bytes (a string without escapes), or JSON to parse. */
const KIND_TEXT: i32 = 1;
const KIND_JSON: i32 = 2;

/** Name contexts of the caller's table: the record, its userIdentity, its request, its response. */
const CTX_RECORD: i32 = 0;
const CTX_IDENTITY: i32 = 1;
const CTX_REQUEST: i32 = 2;
const CTX_RESPONSE: i32 = 3;
const LONGEST_NAME: i32 = 31;

/** What the next token may be. */
const E_VALUE: i32 = 0;
const E_VALUE_OR_CLOSE: i32 = 1;
const E_KEY: i32 = 2;
const E_KEY_OR_CLOSE: i32 = 3;
const E_COLON: i32 = 4;
const E_COMMA_OR_CLOSE: i32 = 5;
const E_END: i32 = 6;

const OBJECT: u8 = 1;
const ARRAY: u8 = 2;
/** Deeper nesting is left to JSON.parse. */
const MAX_DEPTH: i32 = 1000;

/** Whether the whole text was ASCII, and how many records were handed over, after `scan`. */
export let ascii: i32 = 0;
export let handedOver: i32 = 0;

/*
 * The texts of the fields counted by value (names, sources, regions, addresses, agents, error
 * codes, keys, users) repeat from record to record: each distinct text gets an id, the same for
 * the same bytes in every file, so that the caller makes one string of it, once. A hash table of
 * `slots` entries (hash, id + 1, place in the arena, length), open addressing; once half full, or
 * the arena full, a new text gets no id (-1) and the caller decodes it each time.
 */
let internTable: usize = 0;
let internMask: u32 = 0;
let internLimit: i32 = 0;
let internCount: i32 = 0;
let arenaTop: usize = 0;
let arenaEnd: usize = 0;

/** Sets up the ids of texts: a table of `slots` (a power of two) 16-byte entries, all zero, and an arena. */
export function setUpTexts(table: usize, slots: u32, arena: usize, arenaLength: usize): void {
  internTable = table;
  internMask = slots - 1;
  internLimit = <i32>(slots >> 1);
  internCount = 0;
  arenaTop = arena;
  arenaEnd = arena + arenaLength;
}

function hashOf(from: usize, length: usize): u32 {
  let hash: u32 = 0x9e3779b9 ^ <u32>length;
  let at = from;
  const end = from + length;
  for (; at + 4 <= end; at += 4) {
    hash = (hash ^ load<u32>(at)) * 0x01000193;
    hash ^= hash >> 15;
  }
  for (; at < end; at++) hash = (hash ^ <u32>load<u8>(at)) * 0x01000193;
  hash ^= hash >> 16;
  hash *= 0x85ebca6b;
  return hash ^ (hash >> 13);
}

/**
 * The most slots looked at for a text. The texts come from records an attacker wrote, and the
 * hash is no secret: texts made to share a run of slots would otherwise make every later lookup
 * walk it. Past this, a text gets no id (it is decoded each time).
 */
const MAX_PROBES = 32;

/** The id of the text `[from, from + length)`, given it now if new; -1 when no more can be given. */
function intern(from: usize, length: usize): i32 {
  const hash = hashOf(from, length);
  let slot = hash & internMask;
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const at = internTable + (<usize>slot << 4);
    const idPlusOne = load<i32>(at, 4);
    if (idPlusOne == 0) {
      if (internCount >= internLimit || arenaTop + length > arenaEnd) return -1;
      memory.copy(arenaTop, from, length);
      store<u32>(at, hash);
      store<i32>(at, internCount + 1, 4);
      store<i32>(at, <i32>arenaTop, 8);
      store<i32>(at, <i32>length, 12);
      arenaTop += length;
      return internCount++;
    }
    if (
      load<u32>(at) == hash &&
      load<i32>(at, 12) == <i32>length &&
      memory.compare(<usize>load<i32>(at, 8), from, length) == 0
    )
      return idPlusOne - 1;
    slot = (slot + 1) & internMask;
  }
  return -1;
}

/** The first and last fields whose texts get ids. */
const F_FIRST_COUNTED: i32 = 2;
const F_LAST_COUNTED: i32 = 9;

const QUOTE = i8x16.splat(0x22);
const BACKSLASH = i8x16.splat(0x5c);
const OPEN_BRACE = i8x16.splat(0x7b);
const CLOSE_BRACE = i8x16.splat(0x7d);
const OPEN_BRACKET = i8x16.splat(0x5b);
const CLOSE_BRACKET = i8x16.splat(0x5d);
const COLON = i8x16.splat(0x3a);
const COMMA = i8x16.splat(0x2c);
const SPACE = i8x16.splat(0x20);

@inline function bits(mask: v128): u64 {
  return <u64>(i8x16.bitmask(mask) & 0xffff);
}

@inline function isSpace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/** Whether `[from, to)` holds only JSON whitespace. */
function onlySpace(from: usize, to: usize): bool {
  for (let at = from; at < to; at++) if (!isSpace(load<u8>(at))) return false;
  return true;
}

@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** Whether `[from, to)` is exactly one JSON number or literal. */
function isScalar(from: usize, to: usize): bool {
  const length = to - from;
  const first = <u32>load<u8>(from);
  if (first == 0x74) return length == 4 && load<u32>(from) == 0x65757274; // true
  if (first == 0x66) return length == 5 && load<u32>(from) == 0x736c6166 && load<u8>(from + 4) == 0x65; // false
  if (first == 0x6e) return length == 4 && load<u32>(from) == 0x6c6c756e; // null
  let at = from;
  if (first == 0x2d) at++;
  if (at >= to) return false;
  let c = <u32>load<u8>(at);
  if (c == 0x30) at++;
  else if (isDigit(c)) while (at < to && isDigit(load<u8>(at))) at++;
  else return false;
  if (at < to && load<u8>(at) == 0x2e) {
    at++;
    if (at >= to || !isDigit(load<u8>(at))) return false;
    while (at < to && isDigit(load<u8>(at))) at++;
  }
  if (at < to && (load<u8>(at) | 0x20) == 0x65) {
    at++;
    if (at < to && (load<u8>(at) == 0x2b || load<u8>(at) == 0x2d)) at++;
    if (at >= to || !isDigit(load<u8>(at))) return false;
    while (at < to && isDigit(load<u8>(at))) at++;
  }
  return at == to;
}

@inline function isHex(c: u32): bool {
  return isDigit(c) || (c | 0x20) - 0x61 < 6;
}

/** Whether the escape after the backslash at `at` is one JSON allows. */
function isEscape(at: usize): bool {
  const c = <u32>load<u8>(at + 1);
  if (c == 0x75)
    return isHex(load<u8>(at + 2)) && isHex(load<u8>(at + 3)) && isHex(load<u8>(at + 4)) && isHex(load<u8>(at + 5));
  return c == 0x22 || c == 0x5c || c == 0x2f || c == 0x62 || c == 0x66 || c == 0x6e || c == 0x72 || c == 0x74;
}

/** The field id the table gives the name `[from, from + length)` in `context`, or -1. */
function fieldOf(names: usize, context: i32, from: usize, length: i32): i32 {
  if (length > LONGEST_NAME) return -1;
  const list = <usize>load<i32>(names + ((<usize>(context * (LONGEST_NAME + 1) + length)) << 2));
  if (list == 0) return -1;
  const count = load<i32>(list);
  for (let entry = 0; entry < count; entry++) {
    const at = list + 4 + (<usize>entry << 3);
    const name = <usize>load<i32>(at + 4);
    if (memory.compare(name, from, length) == 0) return load<i32>(at);
  }
  return -1;
}

/** Whether `[from, from + length)` is one of the wanted keys (a count, then each key's place and length). */
function isWanted(keys: usize, from: usize, length: i32): bool {
  const count = load<i32>(keys);
  for (let key = 0; key < count; key++) {
    const at = keys + 4 + (<usize>key << 3);
    if (load<i32>(at + 4) == length && memory.compare(<usize>load<i32>(at), from, length) == 0) return true;
  }
  return false;
}

@inline function fieldAt(entry: usize, field: i32): usize {
  return entry + 12 + (<usize>field << 4);
}

@inline function setField(entry: usize, field: i32, start: usize, end: usize, kind: i32): void {
  const at = fieldAt(entry, field);
  store<i32>(at, <i32>start);
  store<i32>(at, <i32>end, 4);
  store<i32>(at, kind, 8);
  store<i32>(at, -1, 12);
}

@inline function clearField(entry: usize, field: i32): void {
  store<i32>(fieldAt(entry, field), 0, 8);
}

@inline function fieldKind(entry: usize, field: i32): i32 {
  return load<i32>(fieldAt(entry, field), 8);
}

/** Gives the texts of a record handed over their ids. */
function internFields(entry: usize): void {
  for (let field = F_FIRST_COUNTED; field <= F_LAST_COUNTED; field++) {
    const at = fieldAt(entry, field);
    if (load<i32>(at, 8) != KIND_TEXT) continue;
    const from = <usize>load<i32>(at);
    store<i32>(at, intern(from, <usize>load<i32>(at, 4) - from), 12);
  }
}

/** Whether `[from, to)` is JSON's `null`, which every field reads as absent. */
@inline function isNull(from: usize, to: usize): bool {
  return to - from == 4 && load<u32>(from) == 0x6c6c756e;
}

/**
 * Scans the text `[input, input + length)`, which must be followed by 64 bytes of spaces, and
 * writes an entry for each record handed over at `output` (up to `outputEnd`). `keys` lists the
 * wanted keys, `names` is the table of field names, `stack` has room for MAX_DEPTH + 1 bytes.
 * Answers how many records the delivery holds, NOT_A_DELIVERY, or OUTPUT_FULL.
 */
export function scan(
  input: usize,
  length: usize,
  output: usize,
  outputEnd: usize,
  keys: usize,
  names: usize,
  stack: usize,
): i32 {
  const end = input + length;
  let entry = output;
  let records: i32 = 0;
  let highBits: u64 = 0;
  // Carried from one 64 bytes to the next.
  let inString: u64 = 0;
  let escapeNext = false;
  let lastBackslash: usize = 0;
  // The structure.
  let depth: i32 = 0;
  let expect = E_VALUE;
  let gapStart = input;
  let stringStart: usize = 0;
  let isKey = false;
  let recordsKeySeen = false;
  // The record being read.
  let recordStart: usize = 0;
  let flags: i32 = 0;
  let pending: i32 = -1;
  let context: i32 = -1;
  let contextStart: usize = 0;
  let contextIsObject = false;
  let interesting = false;
  let pendingSub: i32 = -1;

  for (let block = input; block < end; block += 64) {
    let quotes: u64 = 0;
    let backslashes: u64 = 0;
    let structural: u64 = 0;
    let control: u64 = 0;
    for (let part: u32 = 0; part < 4; part++) {
      const v = v128.load(block + (<usize>part << 4));
      const shift = <u64>(part << 4);
      quotes |= bits(i8x16.eq(v, QUOTE)) << shift;
      backslashes |= bits(i8x16.eq(v, BACKSLASH)) << shift;
      const brackets = v128.or(
        v128.or(i8x16.eq(v, OPEN_BRACE), i8x16.eq(v, CLOSE_BRACE)),
        v128.or(i8x16.eq(v, OPEN_BRACKET), i8x16.eq(v, CLOSE_BRACKET)),
      );
      structural |= bits(v128.or(brackets, v128.or(i8x16.eq(v, COLON), i8x16.eq(v, COMMA)))) << shift;
      control |= bits(i8x16.lt_u(v, SPACE)) << shift;
      highBits |= bits(v);
    }
    // Which bytes a backslash escapes, in order: a backslash escaped is no escape itself.
    let escaped: u64 = 0;
    if (escapeNext) {
      escaped = 1;
      escapeNext = false;
    }
    if (backslashes != 0) {
      let rest = backslashes & ~escaped;
      while (rest != 0) {
        const at = ctz(rest);
        // A backslash escaped by the one before was taken out of `rest` below.
        rest &= rest - 1;
        if (!isEscape(block + <usize>at)) return NOT_A_DELIVERY;
        if (at == 63) escapeNext = true;
        else {
          escaped |= (<u64>1) << (at + 1);
          rest &= ~((<u64>1) << (at + 1));
        }
      }
    }
    quotes &= ~escaped;
    let prefix = quotes;
    prefix ^= prefix << 1;
    prefix ^= prefix << 2;
    prefix ^= prefix << 4;
    prefix ^= prefix << 8;
    prefix ^= prefix << 16;
    prefix ^= prefix << 32;
    const strings = prefix ^ inString;
    inString = <u64>(<i64>strings >> 63);
    // A raw control character in a string: JSON.parse refuses it.
    if ((control & strings) != 0) return NOT_A_DELIVERY;

    let tokens = (structural & ~strings) | quotes;
    while (tokens != 0) {
      const bit = ctz(tokens);
      tokens &= tokens - 1;
      const at = block + <usize>bit;
      const c = <u32>load<u8>(at);

      if (c == 0x22) {
        if ((strings >> bit) & 1) {
          // An opening quote.
          if (gapStart != at && !onlySpace(gapStart, at)) return NOT_A_DELIVERY;
          if (expect == E_KEY || expect == E_KEY_OR_CLOSE) isKey = true;
          else if (expect == E_VALUE || expect == E_VALUE_OR_CLOSE) isKey = false;
          else return NOT_A_DELIVERY;
          stringStart = at;
          continue;
        }
        // A closing quote: was there a backslash in the string?
        const before = backslashes & ((<u64>1 << bit) - 1);
        const last = before != 0 ? block + 63 - <usize>clz(before) : lastBackslash;
        const escapes = last > stringStart;
        gapStart = at + 1;
        const from = stringStart + 1;
        const size = <i32>(at - from);
        if (isKey) {
          expect = E_COLON;
          if (depth == 3) {
            pending = escapes ? -1 : fieldOf(names, CTX_RECORD, from, size);
            if (escapes) flags |= FLAG_PARSE;
          } else if (depth == 4 && context == F_IDENTITY) {
            pendingSub = escapes ? -1 : fieldOf(names, CTX_IDENTITY, from, size);
            if (escapes) flags |= FLAG_PARSE;
          } else if (depth == 4 && (context == F_REQUEST || context == F_RESPONSE)) {
            if (escapes || fieldOf(names, context == F_REQUEST ? CTX_REQUEST : CTX_RESPONSE, from, size) >= 0)
              interesting = true;
          } else if (depth == 1) {
            if (recordsKeySeen || escapes || size != 7 || load<u64>(from - 1) != 0x7364726f63655222)
              return NOT_A_DELIVERY; // only "Records"
            recordsKeySeen = true;
          }
          continue;
        }
        expect = E_COMMA_OR_CLOSE;
        if (depth == 3) {
          if (pending >= 0 && pending <= F_LAST_TEXT) {
            if (escapes) setField(entry, pending, stringStart, at + 1, KIND_JSON);
            else setField(entry, pending, from, at, KIND_TEXT);
          } else if (pending == F_REQUEST || pending == F_RESPONSE || pending == F_RESOURCES)
            setField(entry, pending, stringStart, at + 1, KIND_JSON);
          else if (pending == F_IDENTITY) {
            clearField(entry, F_ACCESS_KEY);
            clearField(entry, F_USER_NAME);
          }
        } else if (depth == 4 && context == F_IDENTITY && contextIsObject && pendingSub >= 0) {
          if (escapes) flags |= FLAG_PARSE;
          else setField(entry, pendingSub, from, at, KIND_TEXT);
        } else if (depth < 3) return NOT_A_DELIVERY; // a string where a record must be
        continue;
      }

      // A structural character outside strings. What stands before it may be a number or literal.
      if (gapStart != at && !onlySpace(gapStart, at)) {
        if (c == 0x7b || c == 0x5b || c == 0x3a) return NOT_A_DELIVERY;
        if (expect != E_VALUE && expect != E_VALUE_OR_CLOSE) return NOT_A_DELIVERY;
        let from = gapStart;
        let to = at;
        while (isSpace(load<u8>(from))) from++;
        while (isSpace(load<u8>(to - 1))) to--;
        if (!isScalar(from, to) || depth < 3) return NOT_A_DELIVERY;
        expect = E_COMMA_OR_CLOSE;
        // Every field the caller reads takes null as absent: only other numbers and literals are JSON to parse.
        const kind = isNull(from, to) ? 0 : KIND_JSON;
        if (depth == 3) {
          if (pending >= 0 && pending <= F_LAST_TEXT) setField(entry, pending, from, to, kind);
          else if (pending == F_REQUEST || pending == F_RESPONSE || pending == F_RESOURCES)
            setField(entry, pending, from, to, kind);
          else if (pending == F_IDENTITY) {
            clearField(entry, F_ACCESS_KEY);
            clearField(entry, F_USER_NAME);
          }
        } else if (depth == 4 && context == F_IDENTITY && contextIsObject && pendingSub >= 0) {
          if (kind == 0) clearField(entry, pendingSub);
          else flags |= FLAG_PARSE;
        }
      }
      gapStart = at + 1;

      if (c == 0x3a) {
        if (expect != E_COLON) return NOT_A_DELIVERY;
        expect = E_VALUE;
      } else if (c == 0x2c) {
        if (expect != E_COMMA_OR_CLOSE || depth == 1) return NOT_A_DELIVERY;
        expect = load<u8>(stack + <usize>depth) == OBJECT ? E_KEY : E_VALUE;
      } else if (c == 0x7b || c == 0x5b) {
        if (expect != E_VALUE && expect != E_VALUE_OR_CLOSE) return NOT_A_DELIVERY;
        depth++;
        if (depth > MAX_DEPTH) return NOT_A_DELIVERY;
        const isObject = c == 0x7b;
        store<u8>(stack + <usize>depth, isObject ? OBJECT : ARRAY);
        expect = isObject ? E_KEY_OR_CLOSE : E_VALUE_OR_CLOSE;
        if (depth == 3) {
          if (!isObject) return NOT_A_DELIVERY;
          if (entry + ENTRY_BYTES > outputEnd) return OUTPUT_FULL;
          recordStart = at;
          flags = 0;
          pending = -1;
          for (let field = 0; field < FIELDS; field++) clearField(entry, field);
        } else if (depth == 4) {
          context = pending;
          contextStart = at;
          contextIsObject = isObject;
          interesting = false;
          pendingSub = -1;
          if (pending >= 0 && pending <= F_LAST_TEXT) setField(entry, pending, at, at, KIND_JSON);
          else if (pending == F_IDENTITY) {
            clearField(entry, F_ACCESS_KEY);
            clearField(entry, F_USER_NAME);
          }
        } else if (depth == 5 && context == F_IDENTITY && contextIsObject && pendingSub >= 0) flags |= FLAG_PARSE;
        else if (depth == 1 ? !isObject : depth == 2 ? isObject || !recordsKeySeen : false) return NOT_A_DELIVERY;
      } else {
        // } or ]
        const isObject = c == 0x7d;
        if (depth == 0 || load<u8>(stack + <usize>depth) != (isObject ? OBJECT : ARRAY)) return NOT_A_DELIVERY;
        if (expect != E_COMMA_OR_CLOSE && expect != (isObject ? E_KEY_OR_CLOSE : E_VALUE_OR_CLOSE))
          return NOT_A_DELIVERY;
        if (depth == 4) {
          // A container value of the record closes.
          if (context >= 0 && context <= F_LAST_TEXT) setField(entry, context, contextStart, at + 1, KIND_JSON);
          else if (context == F_REQUEST || context == F_RESPONSE) {
            if (contextIsObject && !interesting) clearField(entry, context);
            else setField(entry, context, contextStart, at + 1, KIND_JSON);
          } else if (context == F_RESOURCES) setField(entry, context, contextStart, at + 1, KIND_JSON);
          context = -1;
        } else if (depth == 3) {
          records++;
          const keyKind = fieldKind(entry, F_ACCESS_KEY);
          let handOver = flags != 0;
          if (!handOver && keyKind == KIND_TEXT) {
            const key = fieldAt(entry, F_ACCESS_KEY);
            const from = <usize>load<i32>(key);
            handOver = isWanted(keys, from, load<i32>(key, 4) - <i32>from);
          }
          if (handOver) {
            if (flags == 0) internFields(entry);
            store<i32>(entry, <i32>recordStart);
            store<i32>(entry, <i32>(at + 1), 4);
            store<i32>(entry, flags, 8);
            entry += ENTRY_BYTES;
          }
        } else if (depth == 1 && !recordsKeySeen) return NOT_A_DELIVERY; // `{}`: no records at all
        depth--;
        expect = depth == 0 ? E_END : E_COMMA_OR_CLOSE;
      }
    }
    if (backslashes != 0) lastBackslash = block + 63 - <usize>clz(backslashes);
  }
  if (depth != 0 || expect != E_END || inString != 0 || !onlySpace(gapStart, end)) return NOT_A_DELIVERY;
  ascii = highBits == 0 ? 1 : 0;
  handedOver = <i32>((entry - output) / ENTRY_BYTES);
  return records;
}
