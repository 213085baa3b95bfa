//! The WebAssembly core of jailbook's syslog scanner (lib/logs/syslog_wasm.ts).
//!
//! It reads the lines that make up nearly all of an attacked server's
//! auth.log — a classic `Mmm dd hh:mm:ss host sshd[pid]: ` header and the
//! common sshd messages — exactly as lib/logs/syslog_fast.ts does, and writes
//! one fixed-size record per event (or passed-over line) to an output array.
//! Every line it is not certain about is handed back (status FALLBACK) to the
//! TypeScript scanner, which stays the reference; tests/syslog_fast_test.ts
//! compares the two on every fixture, on adversarial bytes and on generated
//! logs.
//!
//! The values an event names (IP, user, host) are interned here by their
//! bytes; a value not seen before pauses the scan (status NEED) so that the
//! TypeScript side can decode it, normalise it and give it an id, after which
//! the line is read again from its start. Nothing is written for a line until
//! it is read to the end, so reading a line again is always safe.
//!
//! Build: `deno task wasm` (tools/build_wasm.ts), with Debian's rustc and
//! libstd-rust-dev-wasm32. The built module is committed next to the
//! TypeScript that loads it, with the hash of this file.
#![no_std]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// ---------------------------------------------------------------------------
// Memory shared with TypeScript.

/// Bytes after the input area: every fixed comparison below reads at most
/// 96 bytes past a position inside a line.
const PAD: usize = 128;
const INPUT_CAP: usize = (1 << 20) + (128 << 10);
#[repr(C, align(16))]
struct Input([u8; INPUT_CAP + PAD]);
static mut INPUT_BUFFER: Input = Input([0; INPUT_CAP + PAD]);

/// Fields of one output record (i32 each).
const REC: usize = 10;
const OUT_CAP: usize = 4096;
static mut OUT: [i32; OUT_CAP * REC] = [0; OUT_CAP * REC];
static mut TIMES: [f64; OUT_CAP] = [0.0; OUT_CAP];
/// Start of each month of the provisional year (UTC ms), set by TypeScript.
static mut MONTH_START: [f64; 12] = [0.0; 12];

// record fields
const R_LINE: usize = 0;
const R_PATTERN: usize = 1; // pattern code, or SKIPPED
const R_IP: usize = 2;
const R_USER: usize = 3;
const R_PORT: usize = 4;
const R_COUNT: usize = 5;
const R_FLAGS: usize = 6; // detail | program << 4
const R_PID: usize = 7;
const R_HOST: usize = 8;
const R_DETAIL: usize = 9;
const SKIPPED: i32 = -1;

// pattern codes (TypeScript maps them to kinds and pattern names)
const FAILED_PASSWORD: i32 = 0;
const FAILED_PUBLICKEY: i32 = 1;
const FAILED_KEYBOARD_INTERACTIVE: i32 = 2;
const ACCEPTED_PASSWORD: i32 = 3;
const ACCEPTED_PUBLICKEY: i32 = 4;
const INVALID_USER: i32 = 5;
const CLOSED_BY_USER: i32 = 6;
const CLOSED_PREAUTH: i32 = 7;
const DISCONNECTED_USER: i32 = 8;
const DISCONNECTED_PREAUTH: i32 = 9;
const TOO_MANY_AUTH_FAILURES: i32 = 10;
const PAM_AUTH_FAILURE: i32 = 11;
const MAX_AUTH_ATTEMPTS: i32 = 12;
const FAILED_OTHER: i32 = 13;
const ACCEPTED_OTHER: i32 = 14;
const RECEIVED_DISCONNECT_AUTH_FAIL: i32 = 15;
const RECEIVED_DISCONNECT_NO_AUTH_METHODS: i32 = 16;
const UNABLE_TO_NEGOTIATE: i32 = 17;
const BANNER_EXCHANGE: i32 = 18;
const REVERSE_MAPPING_FAILED: i32 = 19;
const NO_IDENTIFICATION: i32 = 20;
const TIMEOUT_BEFORE_AUTH: i32 = 21;
const BAD_PROTOCOL_VERSION: i32 = 22;

// detail codes: none, a constant, or a value of T_DETAIL (with `, invalid user`)
const DETAIL_NONE: i32 = 0;
const DETAIL_INVALID_USER: i32 = 1;
const DETAIL_TIMEOUT: i32 = 2;
const DETAIL_VALUE: i32 = 3;
const DETAIL_VALUE_INVALID_USER: i32 = 4;

/// A detail: its code and, for a value, its bytes.
#[derive(Clone, Copy)]
struct Detail {
    code: i32,
    start: usize,
    end: usize,
}
const NO_DETAIL: Detail = Detail { code: DETAIL_NONE, start: 0, end: 0 };
const fn detail_code(code: i32) -> Detail {
    Detail { code, start: 0, end: 0 }
}
const fn detail_value(start: usize, end: usize) -> Detail {
    Detail { code: DETAIL_VALUE, start, end }
}

// statuses of `run`
const DONE: i32 = 0;
const FULL: i32 = 1;
const NEED: i32 = 2;
const FALLBACK: i32 = 3;
const NEED_CLOCK: i32 = 4;

// value types
const T_IP: usize = 0;
const T_USER: usize = 1;
const T_HOST: usize = 2;
const T_DETAIL: usize = 3;
const TYPES: usize = 4;

// ---------------------------------------------------------------------------
// Interned values: per type an open-addressing table over an arena of keys.
// Each key's index (the order it was added in) is the index of its value on
// the TypeScript side. A table starts small (it stays in the CPU cache while
// an attack has a few thousand addresses) and doubles when half full; when it
// is full it starts over (after the records naming it are delivered), so
// memory stays bounded whatever the log holds.

const MIN_BITS: [u32; TYPES] = [12, 12, 8, 10];
const MAX_BITS: [u32; TYPES] = [17, 17, 8, 14];
const ARENA: [usize; TYPES] = [4 << 20, 4 << 20, 64 << 10, 2 << 20];
/// Per slot: hash, offset in the arena, length + 1 (0: empty), index + 1 (negated: not an IP).
const SLOT: usize = 4;
static mut TABLE_IP: [i32; (1 << 17) * SLOT] = [0; (1 << 17) * SLOT];
static mut TABLE_USER: [i32; (1 << 17) * SLOT] = [0; (1 << 17) * SLOT];
static mut TABLE_HOST: [i32; (1 << 8) * SLOT] = [0; (1 << 8) * SLOT];
static mut TABLE_DETAIL: [i32; (1 << 14) * SLOT] = [0; (1 << 14) * SLOT];
/// The slots of a table being doubled.
static mut SCRATCH: [i32; (1 << 16) * SLOT] = [0; (1 << 16) * SLOT];
static mut ARENA_IP: [u8; 4 << 20] = [0; 4 << 20];
static mut ARENA_USER: [u8; 4 << 20] = [0; 4 << 20];
static mut ARENA_HOST: [u8; 64 << 10] = [0; 64 << 10];
static mut ARENA_DETAIL: [u8; 2 << 20] = [0; 2 << 20];
static mut BITS: [u32; TYPES] = MIN_BITS;
static mut COUNT: [usize; TYPES] = [0; TYPES];
static mut USED: [usize; TYPES] = [0; TYPES];
static mut GENERATION: i32 = 0;
static mut RESET_PENDING: bool = false;

// the pending request (status NEED)
static mut NEED_TYPE: i32 = 0;
static mut NEED_START: i32 = 0;
static mut NEED_LENGTH: i32 = 0;

#[inline(always)]
unsafe fn table(t: usize) -> &'static mut [i32] {
    let slots = (1usize << BITS[t]) * SLOT;
    match t {
        T_IP => &mut TABLE_IP[..slots],
        T_USER => &mut TABLE_USER[..slots],
        T_HOST => &mut TABLE_HOST[..slots],
        _ => &mut TABLE_DETAIL[..slots],
    }
}

#[inline(always)]
unsafe fn arena(t: usize) -> &'static mut [u8] {
    match t {
        T_IP => &mut ARENA_IP[..],
        T_USER => &mut ARENA_USER[..],
        T_HOST => &mut ARENA_HOST[..],
        _ => &mut ARENA_DETAIL[..],
    }
}

/// The hash of a key: eight bytes at a time, the last word masked (keys in
/// the input and in the arenas are followed by at least 8 bytes that may be
/// read, see `same`).
#[inline(always)]
unsafe fn hash_of(key: &[u8]) -> u32 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let n = key.len();
    let p = key.as_ptr();
    let mut h = (n as u64).wrapping_mul(K);
    let mut o = 0;
    while o + 8 <= n {
        h = (h ^ core::ptr::read_unaligned(p.add(o) as *const u64)).wrapping_mul(K);
        o += 8;
    }
    if o < n {
        let mask = low_bytes(n - o);
        h = (h ^ (core::ptr::read_unaligned(p.add(o) as *const u64) & mask)).wrapping_mul(K);
    }
    (h ^ (h >> 29) ^ (h >> 47)) as u32
}

/// Outcome of a lookup: the value's index, invalid (not an IP), or missing.
enum Found {
    Valid(i32),
    Invalid,
    Missing,
}

/// Per type, the last key found: its offset and length in the arena, and its index + 1.
static mut LAST_OFFSET: [usize; TYPES] = [0; TYPES];
static mut LAST_LENGTH: [usize; TYPES] = [usize::MAX; TYPES];
static mut LAST_ENTRY: [i32; TYPES] = [0; TYPES];
/// The last value's `first_words` (when of 1–16 bytes): compared without
/// loading the value from its arena.
static mut LAST_WORDS: [[u64; 2]; TYPES] = [[0; 2]; TYPES];

/// A mask of the low `n` (1–8) bytes of a word.
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    u64::MAX >> (8 * (8 - n))
}

/// The `length` (1–16) bytes at `i` as two words, masked (the second 0 up to 8 bytes).
#[inline(always)]
unsafe fn first_words(i: usize, length: usize) -> [u64; 2] {
    if length <= 8 {
        [load64(i) & low_bytes(length), 0]
    } else {
        [load64(i), load64(i + 8) & low_bytes(length - 8)]
    }
}

/// Look up the input bytes `[start, end)` as a value of type `t`.
#[inline(always)]
unsafe fn lookup<const T: usize>(start: usize, end: usize) -> Found {
    let t = T;
    let length = end - start;
    let ar = arena(t);
    let entry;
    if LAST_LENGTH[t] == length
        && if (1..=16).contains(&length) {
            // (word by word: `==` on the arrays compiles to a call of `bcmp`, through memory)
            let [w0, w1] = first_words(start, length);
            w0 == LAST_WORDS[t][0] && w1 == LAST_WORDS[t][1]
        } else {
            same(start, &ar[LAST_OFFSET[t]..LAST_OFFSET[t] + length])
        }
    {
        entry = LAST_ENTRY[t];
    } else {
        let tab = table(t);
        let key = INPUT_BUFFER.0.get_unchecked(start..end);
        let h = hash_of(key) as i32;
        let mask = (1usize << BITS[t]) - 1;
        let mut slot = (h as u32 as usize) & mask;
        loop {
            let at = slot * SLOT;
            let stored = tab[at + 2];
            if stored == 0 {
                return Found::Missing;
            }
            if tab[at] == h && (stored - 1) as usize == length {
                let offset = tab[at + 1] as usize;
                if same(start, &ar[offset..offset + length]) {
                    entry = tab[at + 3];
                    LAST_OFFSET[t] = offset;
                    LAST_LENGTH[t] = length;
                    LAST_ENTRY[t] = entry;
                    if (1..=16).contains(&length) {
                        LAST_WORDS[t] = first_words(start, length);
                    }
                    break;
                }
            }
            slot = (slot + 1) & mask;
        }
    }
    if entry > 0 {
        Found::Valid(entry - 1)
    } else {
        Found::Invalid
    }
}

/// Put a slot's four numbers into table `t` (which has room).
unsafe fn insert(t: usize, slot_values: &[i32]) {
    let tab = table(t);
    let mask = (1usize << BITS[t]) - 1;
    let mut slot = (slot_values[0] as u32 as usize) & mask;
    while tab[slot * SLOT + 2] != 0 {
        slot = (slot + 1) & mask;
    }
    tab[slot * SLOT..slot * SLOT + SLOT].copy_from_slice(slot_values);
}

/// Double table `t`.
unsafe fn grow(t: usize) {
    let old = (1usize << BITS[t]) * SLOT;
    SCRATCH[..old].copy_from_slice(&table(t)[..old]);
    BITS[t] += 1;
    for v in table(t).iter_mut() {
        *v = 0;
    }
    let mut at = 0;
    while at < old {
        if SCRATCH[at + 2] != 0 {
            let values = [SCRATCH[at], SCRATCH[at + 1], SCRATCH[at + 2], SCRATCH[at + 3]];
            insert(t, &values);
        }
        at += SLOT;
    }
}

/// Add the input bytes `[start, start + length)` as a value of type `t`
/// (TypeScript calls this after a NEED, with `valid` = 0 when the bytes are
/// not an IP). Returns the value's index, or -1 when the table must start
/// over first (TypeScript then delivers the records and calls `run` again).
#[no_mangle]
pub unsafe extern "C" fn add(t: usize, start: usize, length: usize, valid: i32) -> i32 {
    if COUNT[t] + 1 > (1usize << BITS[t]) / 2 {
        if BITS[t] < MAX_BITS[t] {
            grow(t);
        } else {
            RESET_PENDING = true;
            return -1;
        }
    }
    if USED[t] + length + 8 > ARENA[t] {
        RESET_PENDING = true;
        return -1;
    }
    let key = &INPUT_BUFFER.0[start..start + length];
    let offset = USED[t];
    arena(t)[offset..offset + length].copy_from_slice(key);
    USED[t] += length;
    let index = COUNT[t] as i32;
    COUNT[t] += 1;
    let entry = if valid != 0 { index + 1 } else { -(index + 1) };
    insert(t, &[hash_of(key) as i32, offset as i32, length as i32 + 1, entry]);
    index
}

unsafe fn reset_tables() {
    for t in 0..TYPES {
        for v in table(t).iter_mut() {
            *v = 0;
        }
        BITS[t] = MIN_BITS[t];
        COUNT[t] = 0;
        USED[t] = 0;
        LAST_LENGTH[t] = usize::MAX;
    }
    GENERATION += 1;
    RESET_PENDING = false;
}

// ---------------------------------------------------------------------------
// Scan state.

static mut END: usize = 0;
static mut POS: usize = 0;
static mut LINE: i32 = 0;
static mut RECORDS: usize = 0;

/// Per line: the header fields and the state of the message readers.
struct Line {

    time: f64,
    host: i32,
    program: i32,
    /// Where the pid's digits start (1–9 of them, then `]`): read when a record is kept.
    pid_start: usize,
    /// `message repeated N times: [`: N, else -1.
    repeat: i32,
    /// The tag was `sshd-auth`: every message is before authentication.
    auth_program: bool,
    preauth_seen: bool,
    port: i32,
    ip_start: usize,
    ip_end: usize,
    /// Where the message starts (after the tag), and its end found by `message_bounds`.
    message_start: usize,
    bound_end: usize,
}

/// A line of no program (what `other_program` records a line with).
const NO_LINE: Line = Line {
    time: 0.0,
    host: -1,
    program: 0,
    pid_start: 0,
    repeat: -1,
    auth_program: false,
    preauth_seen: false,
    port: -1,
    ip_start: 0,
    ip_end: 0,
    message_start: 0,
    bound_end: 0,
};

/// The line being read: a static, so that its fields are at constant addresses
/// (no bounds checks under a runtime without a trap handler, unlike a frame on
/// the shadow stack).
static mut CUR: Line = NO_LINE;

/// How a line ended: the next line's start (`next_line`), or a status for
/// TypeScript. One `u32` rather than an enum with a payload: a Rust function
/// returns a single scalar in a register, but a two-part value through memory
/// (the shadow stack), whose every access is bounds-checked under a runtime
/// without WebAssembly's trap handler (Deno).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Outcome(u32);

/// The next line starts at `n` (below `STATUSES`: input positions are).
#[inline(always)]
fn next_line(n: usize) -> Outcome {
    Outcome(n as u32)
}
/// None, for functions that return an input position or none (as one `usize`).
const NONE: usize = usize::MAX;
/// `NONE` as None, any other position as Some.
#[inline(always)]
fn found_at(r: usize) -> Option<usize> {
    if r == NONE {
        None
    } else {
        Some(r)
    }
}
/// The first status (every `Outcome` from here up is one).
const STATUSES: u32 = u32::MAX - 3;
const FALL_BACK: Outcome = Outcome(u32::MAX);
const NEEDS_VALUE: Outcome = Outcome(u32::MAX - 1);
/// A table is full: the records so far must be delivered before it starts over.
const STOP: Outcome = Outcome(u32::MAX - 2);
/// The clock needs a year's shifts or an hour's offset (see `clock_time`).
const NEEDS_CLOCK: Outcome = Outcome(u32::MAX - 3);

#[inline(always)]
unsafe fn b(i: usize) -> u8 {
    *INPUT_BUFFER.0.get_unchecked(i)
}

#[inline(always)]
unsafe fn load32(i: usize) -> u32 {
    core::ptr::read_unaligned(INPUT_BUFFER.0.as_ptr().add(i) as *const u32)
}

#[inline(always)]
unsafe fn load64(i: usize) -> u64 {
    core::ptr::read_unaligned(INPUT_BUFFER.0.as_ptr().add(i) as *const u64)
}

#[inline(always)]
fn word32(t: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([t[o], t[o + 1], t[o + 2], t[o + 3]])
}

#[inline(always)]
fn word64(t: &[u8], o: usize) -> u64 {
    u64::from_le_bytes([t[o], t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], t[o + 6], t[o + 7]])
}

/// The input holds `text` at `i`: compared eight (or four) bytes at a time,
/// the last word overlapping; the texts are constants, so are the words.
#[inline(always)]
unsafe fn at(i: usize, text: &[u8]) -> bool {
    let n = text.len();
    if n >= 8 {
        let mut o = 0;
        while o + 8 <= n {
            if load64(i + o) != word64(text, o) {
                return false;
            }
            o += 8;
        }
        o == n || load64(i + n - 8) == word64(text, n - 8)
    } else if n > 4 {
        // one load of eight bytes, masked (the input is followed by at least 8 bytes that may be read)
        let mut w = 0u64;
        let mut o = 0;
        while o < n {
            w |= (text[o] as u64) << (8 * o);
            o += 1;
        }
        load64(i) & low_bytes(n) == w
    } else if n == 4 {
        load32(i) == word32(text, 0)
    } else {
        let mut o = 0;
        while o < n {
            if b(i + o) != text[o] {
                return false;
            }
            o += 1;
        }
        true
    }
}

/// `[i, i + length)` of the input equals `key` (eight bytes at a time).
#[inline(always)]
unsafe fn same(i: usize, key: &[u8]) -> bool {
    let n = key.len();
    let p = key.as_ptr();
    let mut o = 0;
    while o + 8 <= n {
        if load64(i + o) != core::ptr::read_unaligned(p.add(o) as *const u64) {
            return false;
        }
        o += 8;
    }
    if o == n {
        return true;
    }
    // the last 1–7 bytes: one word of each, masked (the input and the keys
    // are followed by at least 8 bytes that may be read)
    let mask = low_bytes(n - o);
    (load64(i + o) ^ core::ptr::read_unaligned(p.add(o) as *const u64)) & mask == 0
}


unsafe fn token_end(mut i: usize) -> usize {
    // eight bytes at a time: the lowest flagged byte (< 0x21, > 0x7e) is exactly the first
    // one that is not a token byte (a borrow or carry only runs upward from a flagged byte)
    loop {
        let w = load64(i);
        let flags = ((w.wrapping_sub(ONES * 0x21) & !w) | w.wrapping_add(ONES) | w) & HIGHS;
        if flags != 0 {
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The `\n` ending the line from `i`, or None when a NUL or non-ASCII byte comes first.
unsafe fn line_end(mut i: usize) -> Option<usize> {
    loop {
        // eight bytes at a time while none is a line break, a NUL or non-ASCII; the lowest
        // flagged byte is exactly the first of them
        let w = load64(i);
        let nl = w ^ (ONES * 10);
        let flags = ((w.wrapping_sub(ONES) & !w) | (nl.wrapping_sub(ONES) & !nl) | w) & HIGHS;
        if flags == 0 {
            i += 8;
            continue;
        }
        i += (flags.trailing_zeros() / 8) as usize;
        return if b(i) == b'\n' { Some(i) } else { None };
    }
}

/// Per byte of `w`, the high bit set when the byte is not an ASCII digit
/// (exact for every byte: no carry crosses bytes).
#[inline(always)]
fn non_digits(w: u64) -> u64 {
    let x = w ^ (ONES * 0x30); // a digit becomes 0–9
    (((x & (ONES * 0x7f)).wrapping_add(ONES * 0x76)) | x) & HIGHS
}

/// The number of ASCII digits at `i` (at most 8; 8 means 8 or more).
#[inline(always)]
unsafe fn digits_at(i: usize) -> usize {
    let flags = non_digits(load64(i));
    if flags == 0 {
        8
    } else {
        (flags.trailing_zeros() / 8) as usize
    }
}

/// The digits at `i` (at most 9 wanted): their number and value (wrapping beyond 9).
#[inline(always)]
unsafe fn number_at(mut i: usize) -> (usize, u32) {
    let n = digits_at(i);
    if n < 8 {
        return (n, if n == 0 { 0 } else { digits_value(i, n) });
    }
    let start = i;
    let mut value: u32 = 0;
    while b(i).is_ascii_digit() {
        value = value.wrapping_mul(10).wrapping_add((b(i) - b'0') as u32);
        i += 1;
    }
    (i - start, value)
}

/// The value of the `n` (1–8) ASCII digits at `i`.
#[inline(always)]
unsafe fn digits_value(i: usize, n: usize) -> u32 {
    // the digits moved to the top of the word, '0's before them, then all eight combined
    let shift = 8 * (8 - n) as u32;
    let w = (load64(i) << shift) | ((ONES * 0x30) & !(u64::MAX << shift));
    let mut x = w.wrapping_sub(ONES * 0x30);
    x = x.wrapping_mul(10).wrapping_add(x >> 8);
    x = ((x & 0x0000_00ff_0000_00ff).wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((x >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    x as u32
}

/// Start a record at `RECORDS` (at 0, not kept, when `RECORDS_OFF`): its index and fields.
unsafe fn record(pattern: i32) -> (usize, &'static mut [i32]) {
    let l = &CUR;
    let k = if RECORDS_OFF { 0 } else { RECORDS };
    let r = &mut OUT[k * REC..k * REC + REC];
    TIMES[k] = l.time;
    if !RECORDS_OFF {
        RECORDS += 1;
    }
    r[R_LINE] = LINE;
    r[R_PATTERN] = pattern;
    (k, r)
}

/// The pid whose digits (1–9 of them) start at `i`.
unsafe fn pid_at(i: usize) -> i32 {
    number_at(i).1 as i32
}

/// Records are not kept, only gathered (TypeScript turns this on when the
/// consumer reads nothing but what is gathered; only with `GATHER_AT_EMIT`).
static mut RECORDS_OFF: bool = false;

#[no_mangle]
pub unsafe extern "C" fn records_off(on: i32) {
    RECORDS_OFF = on != 0 && GATHER_AT_EMIT;
}

unsafe fn skip_rest(i: usize) -> Outcome {
    match line_end(i) {
        Some(nl) => skipped(nl),
        None => FALL_BACK,
    }
}

unsafe fn skipped(nl: usize) -> Outcome {
    record(SKIPPED);
    next_line(nl + 1)
}

/// When the message ends at `i` (see syslog_fast.ts's messageEnd): the `\n`.
unsafe fn message_end(mut i: usize) -> Option<usize> {
    let l = &mut CUR;
    let mut c = b(i);
    l.preauth_seen = false;
    if c == b'\n' {
        return if l.repeat < 0 { Some(i) } else { None };
    }
    if l.repeat < 0 {
        if c == b' ' && at(i, b" [preauth]") {
            l.preauth_seen = true;
            i += 10;
            c = b(i);
        }
    } else if c == b']' {
        i += 1;
        c = b(i);
    } else if c == b' ' && at(i, b" [preauth]]") {
        l.preauth_seen = true;
        i += 11;
        c = b(i);
    } else {
        return None;
    }
    if c == b'\n' {
        return Some(i);
    }
    if c == b'\r' && b(i + 1) == b'\n' {
        return Some(i + 1);
    }
    None
}

/// A port of 1–5 digits (≤ 65535) at `i`: the index after it (sets `l.port`).
unsafe fn scan_port(i: usize) -> Option<usize> {
    let l = &mut CUR;
    let n = digits_at(i);
    if n == 0 || n > 5 {
        return None;
    }
    let value = digits_value(i, n);
    if value > 65535 {
        return None;
    }
    l.port = value as i32;
    Some(i + n)
}

/// `IP[ port N][ sshN]` at `i`: the index after it; sets the IP range and port.
#[inline(always)]
unsafe fn address_tail(i: usize) -> Option<usize> {
    found_at(address_tail_or_none(i))
}

/// (`address_tail`, returning `NONE` for None: one scalar, returned in a register.)
unsafe fn address_tail_or_none(mut i: usize) -> usize {
    let l = &mut CUR;
    l.ip_start = i;
    i = token_end(i);
    if i == l.ip_start {
        return NONE;
    }
    l.ip_end = i;
    l.port = -1;
    if at(i, b" port ") {
        i = match scan_port(i + 6) {
            Some(i) => i,
            None => return NONE,
        };
    }
    if at(i, b" ssh") {
        i += 4;
        if b(i).is_ascii_digit() {
            i += 1;
        }
    }
    i
}

/// The value index of the key `[start, end)`, or the outcome that stops the line.
/// A value not seen before is added here and listed in `NEW` for TypeScript
/// to decode — unless it is an IP not written as normalizeIp writes it (canonical IPv4 or IPv6), which
/// TypeScript must normalise (or find not to be an IP) first: then `NEEDS_VALUE`.
unsafe fn value<const T: usize>(start: usize, end: usize) -> Result<i32, Outcome> {
    let t = T;
    match lookup::<T>(start, end) {
        Found::Valid(index) => Ok(index),
        Found::Invalid => Err(FALL_BACK),
        Found::Missing => {
            if t == T_IP && !canonical_ipv4(start, end) && !canonical_ipv6(start, end) {
                NEED_TYPE = t as i32;
                NEED_START = start as i32;
                NEED_LENGTH = (end - start) as i32;
                return Err(NEEDS_VALUE);
            }
            let index = add(t, start, end - start, 1);
            if index < 0 {
                return Err(STOP);
            }
            let at = NEW_COUNT * 4;
            NEW[at] = t as u32;
            NEW[at + 1] = index as u32;
            NEW[at + 2] = (USED[t] - (end - start)) as u32;
            NEW[at + 3] = (end - start) as u32;
            NEW_COUNT += 1;
            Ok(index)
        }
    }
}

/// Values added by `value` since `run` began: type, index, offset in the arena, length.
const NEW_CAP: usize = 4096;
static mut NEW: [u32; NEW_CAP * 4] = [0; NEW_CAP * 4];
static mut NEW_COUNT: usize = 0;

/// `[start, end)` is an IPv4 address as normalizeIp writes it: four numbers
/// of 0–255 without leading zeros, separated by dots.
unsafe fn canonical_ipv4(start: usize, end: usize) -> bool {
    let mut parts = 0;
    let mut digits = 0;
    let mut value = 0u32;
    let mut first = 0u8;
    let mut i = start;
    while i < end {
        let c = b(i);
        if c.is_ascii_digit() {
            if digits == 0 {
                first = c;
            } else if first == b'0' {
                return false; // a leading zero
            }
            value = value * 10 + (c - b'0') as u32;
            digits += 1;
            if digits > 3 || value > 255 {
                return false;
            }
        } else if c == b'.' {
            if digits == 0 {
                return false;
            }
            parts += 1;
            digits = 0;
            value = 0;
        } else {
            return false;
        }
        i += 1;
    }
    parts == 3 && digits > 0
}

/// `[start, end)` is an IPv6 address as normalizeIp writes it (ip.ts, RFC
/// 5952): lower-case hex groups without leading zeros, the first longest run
/// of two or more zero groups written `::` (and no other), no embedded IPv4,
/// zone or brackets, and not an IPv4-mapped address (which becomes IPv4).
/// sshd writes IPv6 so; any other form goes to TypeScript (`NEEDS_VALUE`).
unsafe fn canonical_ipv6(start: usize, end: usize) -> bool {
    if end - start < 2 || end - start > 39 {
        return false;
    }
    let mut groups = [0u32; 8];
    let mut count = 0; // groups written
    let mut gap = usize::MAX; // index in groups where "::" stands
    let mut i = start;
    if b(i) == b':' {
        if b(i + 1) != b':' {
            return false;
        }
        gap = 0;
        i += 2;
    }
    while i < end {
        let group_start = i;
        let mut value = 0u32;
        while i < end {
            let c = b(i);
            let digit = if c.is_ascii_digit() {
                c - b'0'
            } else if c >= b'a' && c <= b'f' {
                c - b'a' + 10
            } else {
                break;
            };
            value = value * 16 + digit as u32;
            i += 1;
        }
        let digits = i - group_start;
        if digits == 0 || digits > 4 || (digits > 1 && b(group_start) == b'0') || count == 8 {
            return false;
        }
        groups[count] = value;
        count += 1;
        if i == end {
            break;
        }
        if b(i) != b':' || i + 1 == end {
            return false;
        }
        i += 1;
        if b(i) == b':' {
            if gap != usize::MAX {
                return false;
            }
            gap = count;
            i += 1;
        }
    }
    let compressed;
    if gap == usize::MAX {
        if count != 8 {
            return false;
        }
        compressed = 0;
    } else {
        // `::` stands for two or more zero groups, none of them written beside it
        if count > 6
            || (gap > 0 && groups[gap - 1] == 0)
            || (gap < count && groups[gap] == 0)
        {
            return false;
        }
        compressed = 8 - count;
    }
    // a run of written zero groups that should have been the `::`: any of
    // two or more without one, else one before it as long, or one after it longer
    let mut run = 0;
    for k in 0..count {
        if groups[k] != 0 {
            run = 0;
            continue;
        }
        run += 1;
        if run >= 2
            && (gap == usize::MAX || (k < gap && run >= compressed) || (k >= gap && run > compressed))
        {
            return false;
        }
    }
    // IPv4-mapped (`::ffff:a.b.c.d` written in hex): normalizeIp makes it IPv4.
    // Its five leading zero groups are the longest run, so canonically `::ffff:x:y`.
    !(gap == 0 && count == 3 && groups[0] == 0xffff)
}

/// Write an event: its IP must be a valid one (else the line falls back).
unsafe fn emit(
    pattern: i32,
    user: Option<(usize, usize)>,
    port: i32,
    detail: Detail,
    nl: usize,
) -> Outcome {
    let l = &CUR;
    let ip = match value::<T_IP>(l.ip_start, l.ip_end) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let user = match user {
        Some((s, e)) => match value::<T_USER>(s, e) {
            Ok(v) => v,
            Err(o) => return o,
        },
        None => -1,
    };
    let detail_index = if detail.code >= DETAIL_VALUE {
        match value::<T_DETAIL>(detail.start, detail.end) {
            Ok(v) => v,
            Err(o) => return o,
        }
    } else {
        -1
    };
    let time = if CLOCK_ON {
        match clock_time(l.time) {
            Some(t) => t,
            None => return NEEDS_CLOCK,
        }
    } else {
        l.time
    };
    if GATHER_AT_EMIT && pairs_full() {
        return STOP; // TypeScript drains what was gathered first
    }
    if CLOCK_ON {
        clock_advance(l.time);
    }
    BATCH_EVENTS += 1;
    if !(BATCH_FIRST <= time) {
        BATCH_FIRST = time;
    }
    if !(BATCH_LAST >= time) {
        BATCH_LAST = time;
    }
    if GATHER_AT_EMIT {
        gather_event(pattern as usize, ip as usize, user, l.repeat, time);
        if RECORDS_OFF {
            return next_line(nl + 1); // (no record kept: TypeScript reads only what is gathered)
        }
    }
    let (k, r) = record(pattern);
    TIMES[k] = time;
    r[R_IP] = ip;
    r[R_USER] = user;
    r[R_PORT] = port;
    r[R_COUNT] = l.repeat;
    r[R_FLAGS] = detail.code | (l.program << 4);
    r[R_PID] = pid_at(l.pid_start);
    r[R_HOST] = l.host;
    r[R_DETAIL] = detail_index;
    next_line(nl + 1)
}

/// The `\n` ending the line from `i` when the rest is clean ASCII without ` from `.
#[inline(always)]
unsafe fn rest_without_from(i: usize) -> Option<usize> {
    found_at(rest_without_from_or_none(i))
}

/// (`rest_without_from`, returning `NONE` for None: one scalar, returned in a register.)
unsafe fn rest_without_from_or_none(mut i: usize) -> usize {
    loop {
        let c = b(i);
        if c == b'\n' {
            return i;
        }
        if c == 0 || c >= 128 {
            return NONE;
        }
        if c == b' ' && at(i, b" from ") {
            return NONE;
        }
        i += 1;
    }
}

/// `USER from IP[ port N][ sshN]` ending the message (or `: KEY` after it when `allow_extra`).
unsafe fn user_from_address(
    user_start: usize,
    pattern: i32,
    detail: Detail,
    allow_extra: bool,
) -> Outcome {
    let l = &CUR;
    let user_end = token_end(user_start);
    if !at(user_end, b" from ") {
        return FALL_BACK;
    }
    let i = match address_tail(user_end + 6) {
        Some(i) => i,
        None => return FALL_BACK,
    };
    let nl = match message_end(i) {
        Some(nl) => nl,
        None => {
            if !allow_extra || b(i) != b':' || b(i + 1) != b' ' || l.repeat >= 0 {
                return FALL_BACK;
            }
            match rest_without_from(i + 2) {
                Some(nl) => nl,
                None => return FALL_BACK,
            }
        }
    };
    emit(pattern, Some((user_start, user_end)), l.port, detail, nl)
}

/// `Failed|Accepted METHOD for [invalid user ]USER from IP …`; `p` at METHOD.
unsafe fn auth_result(p: usize, failed: bool) -> Outcome {
    let pattern;
    let method_end;
    let mut detail = NO_DETAIL;
    if at(p, b"password for ") {
        method_end = p + 8;
        pattern = if failed { FAILED_PASSWORD } else { ACCEPTED_PASSWORD };
    } else if at(p, b"publickey for ") {
        method_end = p + 9;
        pattern = if failed { FAILED_PUBLICKEY } else { ACCEPTED_PUBLICKEY };
    } else {
        method_end = token_end(p);
        if method_end == p || !at(method_end, b" for ") {
            return FALL_BACK;
        }
        if failed && at(p, b"keyboard-interactive") {
            pattern = FAILED_KEYBOARD_INTERACTIVE;
        } else {
            pattern = if failed { FAILED_OTHER } else { ACCEPTED_OTHER };
            detail = detail_value(p, method_end);
        }
    }
    let mut user_start = method_end + 5;
    if b(user_start) == b'i' && (at(user_start, b"invalid user ") || at(user_start, b"illegal user "))
    {
        user_start += 13;
        detail.code = if detail.code == DETAIL_VALUE {
            DETAIL_VALUE_INVALID_USER
        } else {
            DETAIL_INVALID_USER
        };
    }
    user_from_address(user_start, pattern, detail, true)
}

/// `[invalid user |authenticating user ]USER IP[ port N]` ending the message.
unsafe fn user_address_port(
    p: usize,
    user_pattern: i32,
    plain_pattern: i32,
    too_many_failures: bool,
) -> Outcome {
    let l = &mut CUR;
    let mut detail = NO_DETAIL;
    let mut user_start = usize::MAX;
    let mut user_end = 0;
    let mut ip_start = p;
    if b(p) == b'i' && at(p, b"invalid user ") {
        user_start = p + 13;
        detail = detail_code(DETAIL_INVALID_USER);
    } else if b(p) == b'a' && at(p, b"authenticating user ") {
        user_start = p + 20;
    }
    if user_start != usize::MAX {
        user_end = token_end(user_start);
        if b(user_end) != b' ' {
            return FALL_BACK;
        }
        ip_start = user_end + 1;
    } else if plain_pattern < 0 {
        return skip_rest(p);
    }
    l.ip_start = ip_start;
    let mut i = token_end(ip_start);
    if i == ip_start {
        return FALL_BACK;
    }
    l.ip_end = i;
    let mut port = -1;
    if at(i, b" port ") {
        i = match scan_port(i + 6) {
            Some(i) => i,
            None => return FALL_BACK,
        };
        port = l.port;
    }
    if too_many_failures {
        if !at(i, b": Too many authentication failures") {
            return FALL_BACK;
        }
        i += 34;
    }
    let nl = match message_end(i) {
        Some(nl) => nl,
        None => return FALL_BACK,
    };
    if user_start == usize::MAX {
        if !l.preauth_seen && !l.auth_program {
            return skipped(nl); // a session that ended
        }
        return emit(plain_pattern, None, port, NO_DETAIL, nl);
    }
    emit(user_pattern, Some((user_start, user_end)), port, detail, nl)
}

const PAM_AUTH_FAILURE_TEXT: &[u8] =
    b"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=";

/// `pam_unix(sshd:auth): authentication failure; … rhost=IP[  user=USER]`; `m` at `pam_`.
unsafe fn pam_message(m: usize) -> Outcome {
    let l = &mut CUR;
    if at(m, PAM_AUTH_FAILURE_TEXT) {
        let ip_start = m + 88;
        let ip_end = token_end(ip_start);
        if ip_end == ip_start {
            return FALL_BACK;
        }
        l.ip_start = ip_start;
        l.ip_end = ip_end;
        let mut user = None;
        let nl = match message_end(ip_end) {
            Some(nl) => nl,
            None => {
                let user_start = if at(ip_end, b"  user=") {
                    ip_end + 7
                } else if at(ip_end, b" user=") {
                    ip_end + 6
                } else {
                    return FALL_BACK;
                };
                let user_end = token_end(user_start);
                user = Some((user_start, user_end));
                match message_end(user_end) {
                    Some(nl) => nl,
                    None => return FALL_BACK,
                }
            }
        };
        return emit(PAM_AUTH_FAILURE, user, -1, NO_DETAIL, nl);
    }
    if at(m, b"pam_unix(sshd:auth): check pass; user unknown") {
        if let Some(nl) = message_end(m + 45) {
            return skipped(nl);
        }
    }
    if at(m, b"pam_unix(sshd:session): session ") {
        // `opened for user U(uid=N) by (uid=0)`, `closed for user U`: no
        // event. (sshd.ts reads a pam_ line for ":auth): authentication
        // failure;", which a line without a colon after here cannot hold.)
        let mut i = m + 32;
        loop {
            let c = b(i);
            if c == b'\n' {
                return skipped(i);
            }
            if c == b':' || c == b'\r' || c == 0 || c >= 128 {
                return FALL_BACK;
            }
            i += 1;
        }
    }
    FALL_BACK
}

/// `Received disconnect from IP port N:CODE: REASON`; `p` at IP. Codes 3
/// and 14 (which may be events) take the TypeScript path.
unsafe fn received_disconnect(p: usize) -> Outcome {
    let l = &mut CUR;
    let ip_end = token_end(p);
    if ip_end == p || b(ip_end - 1) == b':' || !at(ip_end, b" port ") {
        return FALL_BACK;
    }
    let mut i = match scan_port(ip_end + 6) {
        Some(i) => i,
        None => return FALL_BACK,
    };
    if b(i) != b':' {
        return FALL_BACK;
    }
    i += 1;
    while b(i) == b' ' {
        i += 1;
    }
    let code_start = i;
    let (digits, code) = number_at(i);
    i += digits;
    if digits == 0 || digits > 9 || b(i) != b':' {
        return FALL_BACK;
    }
    if code != 3 && code != 14 {
        return skip_rest(i);
    }
    let nl = match message_bounds(i) {
        Some(nl) => nl,
        None => return FALL_BACK,
    };
    let end = l.bound_end;
    let pattern;
    if code == 3 {
        if end < i + 11 || !at(end - 11, b": Auth fail") {
            return skipped(nl);
        }
        pattern = RECEIVED_DISCONNECT_AUTH_FAIL;
    } else {
        let mut reason = i + 1;
        while b(reason) == b' ' {
            reason += 1;
        }
        if !at(reason, b"No supported authentication methods available")
            && !at(reason, b"No authentication methods available")
        {
            return skipped(nl);
        }
        pattern = RECEIVED_DISCONNECT_NO_AUTH_METHODS;
    }
    l.ip_start = p;
    l.ip_end = ip_end;
    let port = l.port;
    emit(pattern, None, port, detail_value(code_start, end), nl)
}

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r' || c == b'\n'
}

/// The end of the message as sshd.ts sees it — without trailing white space
/// and ` [preauth]` — in `l.bound_end`; returns the line's `\n` (scanning
/// from `from`), or None (damaged bytes, or inside `message repeated`).
#[inline(always)]
unsafe fn message_bounds(from: usize) -> Option<usize> {
    found_at(message_bounds_or_none(from))
}

/// (`message_bounds`, returning `NONE` for None: one scalar, returned in a register.)
unsafe fn message_bounds_or_none(from: usize) -> usize {
    let l = &mut CUR;
    if l.repeat >= 0 {
        return NONE;
    }
    let nl = match line_end(from) {
        Some(nl) => nl,
        None => return NONE,
    };
    let start = l.message_start;
    let mut end = nl;
    while end > start && is_space(b(end - 1)) {
        end -= 1;
    }
    if end > start + 10 && b(end - 1) == b']' && at(end - 10, b" [preauth]") {
        end -= 10;
        while end > start && is_space(b(end - 1)) {
            end -= 1;
        }
    }
    l.bound_end = end;
    nl
}

/// `Did not receive identification string from IP[ port N]` and `Timeout
/// before authentication for IP port N`: an address ending the message.
unsafe fn address_only(p: usize, pattern: i32, detail: Detail) -> Outcome {
    let l = &CUR;
    let i = match address_tail(p) {
        Some(i) => i,
        None => return FALL_BACK,
    };
    let nl = match message_end(i) {
        Some(nl) => nl,
        None => return FALL_BACK,
    };
    let port = l.port;
    emit(pattern, None, port, detail, nl)
}

/// `Bad protocol version identification 'TEXT' from IP[ port N]`; `p` at `'TEXT'`.
unsafe fn bad_protocol(p: usize) -> Outcome {
    let l = &CUR;
    let nl = match message_bounds(p) {
        Some(nl) => nl,
        None => return FALL_BACK,
    };
    let end = l.bound_end;
    // the last " from " (the text is the client's, and may hold one)
    let mut from = end as isize - 6;
    while from >= p as isize && !(b(from as usize) == b' ' && at(from as usize, b" from ")) {
        from -= 1;
    }
    if from < p as isize {
        return skipped(nl);
    }
    let from = from as usize;
    match address_tail(from + 6) {
        Some(i) if i == end => {}
        _ => return FALL_BACK,
    }
    let mut detail = NO_DETAIL;
    if b(p) == b'\'' && b(from - 1) == b'\'' && from - 1 > p {
        detail = detail_value(p + 1, from - 1);
    }
    let port = l.port;
    emit(BAD_PROTOCOL_VERSION, None, port, detail, nl)
}

/// `Unable to negotiate with IP port N: REASON. Their offer: …` and `banner
/// exchange: Connection from IP port N: REASON`; `p` at IP.
unsafe fn address_colon_reason(p: usize, negotiation: bool) -> Outcome {
    let l = &mut CUR;
    let ip_end = token_end(p);
    if ip_end == p || b(ip_end - 1) == b':' || !at(ip_end, b" port ") {
        return FALL_BACK;
    }
    let colon = match scan_port(ip_end + 6) {
        Some(i) if b(i) == b':' => i,
        _ => return FALL_BACK,
    };
    let port = l.port;
    let nl = match message_bounds(colon) {
        Some(nl) if colon < l.bound_end => nl,
        _ => return FALL_BACK,
    };
    let end = l.bound_end;
    let mut reason_start = colon + 1;
    if b(reason_start) == b' ' {
        reason_start += 1;
    }
    let mut reason_end = end;
    if negotiation {
        let mut k = reason_start;
        while k + 14 <= nl {
            if b(k) == b'.' && at(k, b". Their offer:") {
                if k <= end {
                    reason_end = k;
                }
                break;
            }
            k += 1;
        }
    }
    let detail = if reason_end > reason_start {
        detail_value(reason_start, reason_end)
    } else {
        NO_DETAIL
    };
    l.ip_start = p;
    l.ip_end = ip_end;
    let pattern = if negotiation { UNABLE_TO_NEGOTIATE } else { BANNER_EXCHANGE };
    emit(pattern, None, port, detail, nl)
}

/// `reverse mapping checking getaddrinfo for HOST [IP] failed - POSSIBLE BREAK-IN ATTEMPT!`.
unsafe fn reverse_mapping(p: usize) -> Outcome {
    let l = &mut CUR;
    let nl = match message_bounds(p) {
        Some(nl) => nl,
        None => return FALL_BACK,
    };
    // the last "] failed" that starts by the end, and the last " [" before it
    let mut close = core::cmp::min(l.bound_end as isize, nl as isize - 8);
    while close >= p as isize && !(b(close as usize) == b']' && at(close as usize, b"] failed")) {
        close -= 1;
    }
    if close < p as isize {
        return skipped(nl);
    }
    let mut open = close - 1;
    while open >= p as isize && !(b(open as usize) == b' ' && b(open as usize + 1) == b'[') {
        open -= 1;
    }
    if open < p as isize {
        return skipped(nl);
    }
    l.ip_start = open as usize + 2;
    l.ip_end = close as usize;
    emit(REVERSE_MAPPING_FAILED, None, -1, detail_value(p, open as usize), nl)
}

/// `message repeated N times: [ MESSAGE]`; `p` after `repeated `.
unsafe fn repeated_message(p: usize) -> Outcome {
    let l = &mut CUR;
    if l.repeat >= 0 {
        return skip_rest(p); // not nested
    }
    let (digits, times) = number_at(p);
    let mut i = p + digits;
    if digits == 0 || digits > 9 || !at(i, b" times: [") {
        return skip_rest(p);
    }
    i += 9;
    if b(i) == b' ' {
        i += 1;
    }
    l.repeat = times as i32;
    message(i)
}

/// sshd.ts's dispatch on the message at `m` (as syslog_fast.ts's `message`).
unsafe fn message(mut m: usize) -> Outcome {
    loop {
        return match b(m) {
            b'F' => {
                if at(m, b"Failed ") {
                    auth_result(m + 7, true)
                } else {
                    skip_rest(m)
                }
            }
            b'I' => {
                if at(m, b"Invalid user ") || at(m, b"Illegal user ") {
                    user_from_address(m + 13, INVALID_USER, NO_DETAIL, false)
                } else {
                    skip_rest(m)
                }
            }
            b'A' => {
                if at(m, b"Accepted ") {
                    auth_result(m + 9, false)
                } else if at(m, b"Address ") || at(m, b"Authentication ") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'a' => {
                if at(m, b"authentication ") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'C' => {
                if at(m, b"Connection closed by ") {
                    user_address_port(m + 21, CLOSED_BY_USER, CLOSED_PREAUTH, false)
                } else if at(m, b"Connection reset by ") {
                    user_address_port(m + 20, CLOSED_BY_USER, CLOSED_PREAUTH, false)
                } else {
                    skip_rest(m)
                }
            }
            b'D' => {
                if at(m, b"Disconnected from ") {
                    let p = m + 18;
                    if b(p) == b'u' && at(p, b"user ") {
                        skip_rest(p) // the end of a session
                    } else {
                        user_address_port(p, DISCONNECTED_USER, DISCONNECTED_PREAUTH, false)
                    }
                } else if at(m, b"Disconnecting ") {
                    user_address_port(m + 14, TOO_MANY_AUTH_FAILURES, -1, true)
                } else if at(m, b"Did not receive identification string from ") {
                    address_only(m + 43, NO_IDENTIFICATION, NO_DETAIL)
                } else {
                    skip_rest(m)
                }
            }
            b'U' => {
                if at(m, b"Unable to negotiate with ") {
                    address_colon_reason(m + 25, true)
                } else if at(m, b"User ") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'B' => {
                if at(m, b"Bad protocol version identification ") {
                    bad_protocol(m + 36)
                } else {
                    skip_rest(m)
                }
            }
            b'R' => {
                if at(m, b"Received disconnect from ") {
                    received_disconnect(m + 25)
                } else if at(m, b"ROOT LOGIN REFUSED") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'b' => {
                if at(m, b"banner exchange: Connection from ") {
                    address_colon_reason(m + 33, false)
                } else {
                    skip_rest(m)
                }
            }
            b'r' => {
                if at(m, b"reverse mapping checking getaddrinfo for ") {
                    reverse_mapping(m + 41)
                } else if at(m, b"refused connect from ") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'p' => {
                if at(m, b"pam_") {
                    pam_message(m)
                } else {
                    skip_rest(m)
                }
            }
            b'm' => {
                if at(m, b"maximum authentication attempts exceeded for ") {
                    let mut p = m + 45;
                    let mut detail = NO_DETAIL;
                    if b(p) == b'i' && at(p, b"invalid user ") {
                        p += 13;
                        detail = detail_code(DETAIL_INVALID_USER);
                    }
                    user_from_address(p, MAX_AUTH_ATTEMPTS, detail, false)
                } else if at(m, b"message repeated ") {
                    repeated_message(m + 17)
                } else {
                    skip_rest(m)
                }
            }
            b'T' => {
                if at(m, b"Timeout before authentication for ") {
                    if at(m + 34, b"connection from ") {
                        FALL_BACK // the old form
                    } else {
                        address_only(m + 34, TIMEOUT_BEFORE_AUTH, detail_code(DETAIL_TIMEOUT))
                    }
                } else {
                    skip_rest(m)
                }
            }
            b'N' => {
                if at(m, b"Nasty PTR record ") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'd' => {
                if at(m, b"drop con") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            b'e' => {
                if !at(m, b"error: ") {
                    return skip_rest(m);
                }
                m += 7;
                continue;
            }
            b'f' => {
                if !at(m, b"fatal: ") {
                    return skip_rest(m);
                }
                m += 7;
                continue;
            }
            b'P' => {
                if !at(m, b"PAM: ") {
                    return skip_rest(m);
                }
                m += 5;
                continue;
            }
            b'[' => {
                if at(m, b"[ID ") {
                    FALL_BACK
                } else {
                    skip_rest(m)
                }
            }
            _ => skip_rest(m),
        };
    }
}

const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";

unsafe fn two_digits(i: usize) -> i32 {
    let x = b(i).wrapping_sub(b'0');
    let y = b(i + 1).wrapping_sub(b'0');
    if x > 9 || y > 9 {
        return -1;
    }
    (x * 10 + y) as i32
}

/// The minute of the last stamp: its first 12 bytes (`Jan 28 07:01`) and its time.
static mut MINUTE_HEAD: u64 = 0;
static mut MINUTE_TAIL: u32 = 0;
static mut MINUTE_START: f64 = -1.0;

/// The provisional time of the stamp at `pos`, or None: the cached minute, or a new one.
#[inline(always)]
unsafe fn stamp(pos: usize) -> Option<f64> {
    // two loads for the 16 bytes (each load from a computed address is bounds-checked under Deno)
    let tail = load64(pos + 8);
    if MINUTE_START >= 0.0 && load64(pos) == MINUTE_HEAD && tail as u32 == MINUTE_TAIL {
        let s1 = ((tail >> 40) as u8).wrapping_sub(b'0');
        let s2 = ((tail >> 48) as u8).wrapping_sub(b'0');
        if (tail >> 32) as u8 != b':' || s1 > 6 || s2 > 9 || (tail >> 56) as u8 != b' ' {
            return None;
        }
        let second = s1 as u32 * 10 + s2 as u32;
        if second > 60 {
            return None;
        }
        return Some(MINUTE_START + (second as f64) * 1000.0);
    }
    let time = new_stamp(pos)?;
    MINUTE_HEAD = load64(pos);
    MINUTE_TAIL = load32(pos + 8);
    MINUTE_START = time - (two_digits(pos + 13) as f64) * 1000.0;
    Some(time)
}

/// The provisional time of the stamp at `pos` (syslog_fast.ts's #newMinute), or None.
unsafe fn new_stamp(pos: usize) -> Option<f64> {
    let hour = two_digits(pos + 7);
    let minute = two_digits(pos + 10);
    let second = two_digits(pos + 13);
    if hour < 0 || hour > 23 || b(pos + 9) != b':' || minute < 0 || minute > 59
        || b(pos + 12) != b':' || second < 0 || second > 60 || b(pos + 15) != b' '
    {
        return None;
    }
    let mut month = 12;
    for m in 0..12 {
        if b(pos) == MONTHS[3 * m] && b(pos + 1) == MONTHS[3 * m + 1] && b(pos + 2) == MONTHS[3 * m + 2]
        {
            month = m;
            break;
        }
    }
    if month == 12 || b(pos + 3) != b' ' {
        return None;
    }
    let d1 = b(pos + 4);
    let d2 = b(pos + 5).wrapping_sub(b'0');
    if d2 > 9 {
        return None;
    }
    let day = if d1 == b' ' {
        d2 as i32
    } else if d1.is_ascii_digit() {
        (d1 - b'0') as i32 * 10 + d2 as i32
    } else {
        return None;
    };
    if day < 1 || day > 31 || b(pos + 6) != b' ' {
        return None;
    }
    Some(
        MONTH_START[month]
            + ((day - 1) as f64) * 86_400_000.0
            + (hour as f64) * 3_600_000.0
            + (minute as f64) * 60_000.0
            + (second as f64) * 1000.0,
    )
}

/// The cached host: its bytes with the space after it, and its value index.
static mut HOST_LENGTH: usize = 0;
static mut HOST_VALUE: i32 = -1;
static mut HOST_GENERATION: i32 = -1;
static mut HOST_COPY: [u8; 256] = [0; 256];
/// A cached host of at most 8 bytes (with its space), as one word and its mask:
/// compared with one load.
static mut HOST_WORD: u64 = 0;
static mut HOST_MASK: u64 = 0;

/// Read the line at `pos` (syslog_fast.ts's #readLine).
unsafe fn read_line(pos: usize) -> Outcome {
    let time = match stamp(pos) {
        Some(t) => t,
        None => return FALL_BACK,
    };
    // host
    let hs = pos + 16;
    let host;
    let tag;
    if HOST_GENERATION == GENERATION
        && HOST_LENGTH > 0
        && if HOST_LENGTH <= 8 {
            load64(hs) & HOST_MASK == HOST_WORD
        } else {
            same(hs, &HOST_COPY[..HOST_LENGTH])
        }
    {
        host = HOST_VALUE;
        tag = hs + HOST_LENGTH;
    } else {
        let end = token_end(hs);
        if end == hs || b(end) != b' ' || b(end - 1) == b':' {
            return FALL_BACK;
        }
        host = match value::<T_HOST>(hs, end) {
            Ok(v) => v,
            Err(FALL_BACK) => return FALL_BACK,
            Err(o) => return o,
        };
        if end + 1 - hs + 8 <= HOST_COPY.len() {
            HOST_LENGTH = end + 1 - hs;
            HOST_COPY[..HOST_LENGTH].copy_from_slice(&INPUT_BUFFER.0[hs..end + 1]);
            if HOST_LENGTH <= 8 {
                HOST_MASK = low_bytes(HOST_LENGTH);
                HOST_WORD = load64(hs) & HOST_MASK;
            }
            HOST_VALUE = host;
            HOST_GENERATION = GENERATION;
        }
        tag = end + 1;
    }
    // tag: sshd[pid]: , sshd-session[pid]: , sshd-auth[pid]:
    let program;
    let mut i;
    let mut auth_program = false;
    if at(tag, b"sshd[") {
        program = 0;
        i = tag + 5;
    } else if at(tag, b"sshd-session[") {
        program = 1;
        i = tag + 13;
    } else if at(tag, b"sshd-auth[") {
        program = 2;
        i = tag + 10;
        auth_program = true;
    } else {
        return other_program(tag);
    }
    let pid_start = i;
    i += digits_at(i);
    if i - pid_start == 8 {
        while b(i).is_ascii_digit() {
            i += 1;
        }
    }
    if i == pid_start || i - pid_start > 9 || load32(i) & 0x00ff_ffff != word32(b"]: \0", 0) {
        return FALL_BACK; // (a pid of 10 digits, which may not fit an i32, too)
    }
    CUR = Line {
        time,
        host,
        program,
        pid_start,
        auth_program,
        message_start: i + 3,
        ..NO_LINE
    };
    message(i + 3)
}

/// A tag that is not sshd's: passed over when it is certainly another program.
unsafe fn other_program(tag: usize) -> Outcome {
    CUR = NO_LINE;
    let first = b(tag);
    if first != b's' && first != b'/' {
        return skip_rest(tag);
    }
    let limit = tag + 128;
    let mut i = tag;
    while i < limit {
        let c = b(i);
        if c == b':' || c == b'[' {
            break;
        }
        if c == b' ' {
            return skip_rest(i);
        }
        if c < 32 || c >= 127 {
            return FALL_BACK;
        }
        i += 1;
    }
    if i == limit {
        return FALL_BACK;
    }
    let mut k = tag;
    while k + 4 <= i {
        if at(k, b"sshd") {
            return FALL_BACK;
        }
        k += 1;
    }
    skip_rest(i)
}

// ---------------------------------------------------------------------------
// Events gathered per IP (after TypeScript replaced their times by UTC ms),
// for aggregating consumers, over as many calls of `run` as TypeScript
// lets them gather (it drains them before anything else is added to its
// totals): per IP in the order of its first event, its events, suspicious
// events, first and last time and events per pattern; and each (IP, user) of
// a suspicious event, in the order first seen. Adding these gives what adding
// each event in line order gives (sums, minimums and maximums; users in
// first-tried order), with one row per IP instead of one per event.

const PATTERNS: usize = 23;
/// Per pattern: 1 when its kind is suspicious (set by TypeScript).
static mut SUSPICIOUS_PATTERN: [u8; PATTERNS] = [0; PATTERNS];
/// Rows at most: one per IP value (the IP table holds at most 1 << 16).
const MAX_ROWS: usize = 1 << 16;
/// What is gathered of an IP value since the last drain (valid when its stamp
/// is the current one), one cache line per IP: an event touches this line,
/// its pattern's count and, for a new user, the pair cache.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct IpSlot {
    stamp: u32,
    row: u32,
    events: u32,
    suspicious: u32,
    /// A bit per pattern with events (its count in `COUNTS` is valid then).
    bits: u32,
    /// The user value of the last suspicious event + 1.
    last_user: u32,
    first: f64,
    last: f64,
}
const EMPTY_SLOT: IpSlot =
    IpSlot { stamp: 0, row: 0, events: 0, suspicious: 0, bits: 0, last_user: 0, first: 0.0, last: 0.0 };
static mut SLOTS: [IpSlot; MAX_ROWS] = [EMPTY_SLOT; MAX_ROWS];
/// Per IP value, events per pattern (valid where the slot's bit is set).
const COUNT_STRIDE: usize = 24;
static mut COUNTS: [u32; MAX_ROWS * COUNT_STRIDE] = [0; MAX_ROWS * COUNT_STRIDE];
static mut STAMP: u32 = 1;
/// The IP values of the rows, in the order of their first event.
static mut ORDER: [u32; MAX_ROWS] = [0; MAX_ROWS];
/// The rows as TypeScript reads them (written by `row_count`): per row the
/// IP value, events, suspicious, a bit per pattern with events, then the
/// pattern counts; and its first and last time.
const ROW_INTS: usize = 4 + PATTERNS;
static mut ROWS: [u32; MAX_ROWS * ROW_INTS] = [0; MAX_ROWS * ROW_INTS];
static mut ROW_TIMES: [f64; MAX_ROWS * 2] = [0.0; MAX_ROWS * 2];
static mut ROW_COUNT: usize = 0;
/// The distinct (row, user value) pairs in the order first tried: each is
/// listed once (`PAIR_SET` knows those listed), so that the pairs of a file
/// with fewer than `MAX_PAIRS` of them fit in one gathering (the 1M-line bench
/// log: ~49,000; listing the pairs a small cache had not seen lately gave
/// ~82,000, and TypeScript drained part-way through the file, in code not yet
/// warm).
const MAX_PAIRS: usize = 1 << 16;
static mut PAIRS: [u32; MAX_PAIRS * 2] = [0; MAX_PAIRS * 2];
static mut PAIR_COUNT: usize = 0;
/// Slots of `PAIR_SET`: twice `MAX_PAIRS`, so it is at most half full.
const PAIR_SLOTS: usize = 1 << 17;
/// The pairs listed, by hash (open addressing): per slot the stamp of the
/// gathering it was written in (an older one: empty) and `row << 16 | user`
/// (rows and user values are both below 1 << 16).
static mut PAIR_SET: [u32; PAIR_SLOTS * 2] = [0; PAIR_SLOTS * 2];

#[inline(always)]
fn pair_hash(key: u32) -> usize {
    let hash = key.wrapping_mul(0x9e37_79b1);
    (hash ^ (hash >> 15)) as usize
}

/// List (row, user) unless it is listed already.
#[inline(always)]
unsafe fn list_pair(row: u32, user: u32) {
    let key = row << 16 | user;
    let mut slot = pair_hash(key) & (PAIR_SLOTS - 1);
    loop {
        let at = 2 * slot;
        if *PAIR_SET.get_unchecked(at) != STAMP {
            *PAIR_SET.get_unchecked_mut(at) = STAMP;
            *PAIR_SET.get_unchecked_mut(at + 1) = key;
            PAIRS[2 * PAIR_COUNT] = row;
            PAIRS[2 * PAIR_COUNT + 1] = user;
            PAIR_COUNT += 1;
            return;
        }
        if *PAIR_SET.get_unchecked(at + 1) == key {
            return;
        }
        slot = (slot + 1) & (PAIR_SLOTS - 1);
    }
}

/// Add the records `[from, RECORDS)` of the last `run` to what is gathered;
/// returns where it stopped: before `RECORDS` when the pairs are full
/// (TypeScript drains them and calls again from there). Records gathered
/// as they were written (`GATHER_AT_EMIT`) are not gathered again.
#[no_mangle]
pub unsafe extern "C" fn gather(from: usize) -> usize {
    if BATCH_GATHERED {
        return RECORDS;
    }
    for k in from..RECORDS {
        if !gather_one(k) {
            return k;
        }
    }
    RECORDS
}

/// Could one more pair be gathered?
unsafe fn pairs_full() -> bool {
    PAIR_COUNT + 1 > MAX_PAIRS
}

/// Add record `k` to what is gathered; false (and nothing added) when the pairs are full.
unsafe fn gather_one(k: usize) -> bool {
    let r = &OUT[k * REC..k * REC + REC];
    let pattern = r[R_PATTERN];
    if pattern < 0 {
        return true;
    }
    gather_event(pattern as usize, r[R_IP] as usize, r[R_USER], r[R_COUNT], TIMES[k])
}

/// Add an event (pattern, IP value, user value or -1, repeat count or -1, time)
/// to what is gathered; false (and nothing added) when the pairs are full.
#[inline(always)]
unsafe fn gather_event(pattern: usize, ip: usize, user: i32, count: i32, time: f64) -> bool {
    let suspicious = *SUSPICIOUS_PATTERN.get_unchecked(pattern) == 1;
    let suspicious_user = suspicious && user >= 0;
    if suspicious_user && PAIR_COUNT + 1 > MAX_PAIRS {
        return false;
    }
    let ip = ip & (MAX_ROWS - 1); // (always: IP values are < MAX_ROWS)
    let slot = &mut SLOTS[ip];
    let n = if count < 0 { 1 } else { count as u32 };
    let bit = 1u32 << pattern;
    let counts = COUNTS.get_unchecked_mut(ip * COUNT_STRIDE + pattern);
    if slot.stamp != STAMP {
        *slot = IpSlot {
            stamp: STAMP,
            row: ROW_COUNT as u32,
            events: n,
            suspicious: if suspicious { n } else { 0 },
            bits: bit,
            last_user: 0,
            first: time,
            last: time,
        };
        *counts = n;
        *ORDER.get_unchecked_mut(ROW_COUNT & (MAX_ROWS - 1)) = ip as u32;
        ROW_COUNT += 1;
    } else {
        slot.events = slot.events.wrapping_add(n);
        if slot.bits & bit == 0 {
            slot.bits |= bit;
            *counts = n;
        } else {
            *counts = counts.wrapping_add(n);
        }
        // (the comparisons as TypeScript writes them: NaN is replaced)
        if !(slot.first <= time) {
            slot.first = time;
        }
        if !(slot.last >= time) {
            slot.last = time;
        }
        if suspicious {
            slot.suspicious = slot.suspicious.wrapping_add(n);
        }
    }
    // a user tried again by the same IP (an attack's session) needs no look in the set
    if suspicious_user && slot.last_user != user as u32 + 1 {
        let user = user as u32;
        slot.last_user = user + 1;
        list_pair(slot.row, user);
    }
    true
}

/// Gather each event as it is written (TypeScript turns it on once the
/// consumer of the file being read gathers, see `SyslogRecords.gather`).
static mut GATHER_AT_EMIT: bool = false;
/// The records of this `run` were gathered as they were written.
static mut BATCH_GATHERED: bool = false;

#[no_mangle]
pub unsafe extern "C" fn gather_at_emit(on: i32) {
    GATHER_AT_EMIT = on != 0;
    if !GATHER_AT_EMIT {
        RECORDS_OFF = false;
    }
}

/// TypeScript took what was gathered: start again.
#[no_mangle]
pub unsafe extern "C" fn drained() {
    STAMP = STAMP.wrapping_add(1);
    if STAMP == 0 {
        for v in SLOTS.iter_mut() {
            v.stamp = 0;
        }
        for at in (0..PAIR_SLOTS * 2).step_by(2) {
            PAIR_SET[at] = 0;
        }
        STAMP = 1;
    }
    ROW_COUNT = 0;
    GATHER_AT_EMIT = false;
    RECORDS_OFF = false;
    PAIR_COUNT = 0;
}

#[no_mangle]
pub unsafe extern "C" fn reset_pending() -> i32 {
    RESET_PENDING as i32
}

#[no_mangle]
pub unsafe extern "C" fn suspicious_patterns() -> *mut u8 {
    SUSPICIOUS_PATTERN.as_mut_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn rows() -> *const u32 {
    ROWS.as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn row_times() -> *const f64 {
    ROW_TIMES.as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn row_count() -> usize {
    ROW_COUNT
}

/// Write the rows gathered to `ROWS` and `ROW_TIMES`, for TypeScript to drain.
#[no_mangle]
pub unsafe extern "C" fn write_rows() {
    for row in 0..ROW_COUNT {
        let ip = ORDER[row] as usize;
        let slot = &SLOTS[ip];
        let at = row * ROW_INTS;
        ROWS[at] = ip as u32;
        ROWS[at + 1] = slot.events;
        ROWS[at + 2] = slot.suspicious;
        ROWS[at + 3] = slot.bits;
        for p in 0..PATTERNS {
            ROWS[at + 4 + p] =
                if slot.bits & (1 << p) != 0 { COUNTS[ip * COUNT_STRIDE + p] } else { 0 };
        }
        ROW_TIMES[2 * row] = slot.first;
        ROW_TIMES[2 * row + 1] = slot.last;
    }
}

#[no_mangle]
pub unsafe extern "C" fn pairs() -> *const u32 {
    PAIRS.as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn pair_count() -> usize {
    PAIR_COUNT
}

// ---------------------------------------------------------------------------
// The clock of a syslog file (every event of the file, the lines TypeScript
// reads too, see SyslogWasmScanner.startClock): a provisional syslog time
// (placed in the provisional year) to UTC ms — a stamp far before the one
// before it starts a new year — with the year's shifts (time.ts yearShifts)
// and the time zone's offsets asked of TypeScript (status NEED_CLOCK) when
// not known.
// Nothing changes until the line's event is written, so a line can be read
// again after the question is answered.

const ROLLOVER_GAP: f64 = 180.0 * 86_400_000.0;
static mut CLOCK_LAST: f64 = f64::NAN;
static mut CLOCK_YEAR: i32 = 0;
static mut CLOCK_ROLLOVERS: i32 = 0;
/// March 1st of the provisional year (set by TypeScript).
static mut PROVISIONAL_MARCH: f64 = 0.0;
/// The year whose shifts are known: placeInYear(p, year) - p before March, and from March.
static mut SHIFT_YEAR: i32 = i32::MIN;
static mut SHIFT_BEFORE: f64 = 0.0;
static mut SHIFT_FROM: f64 = 0.0;
static mut ZONE_UTC: bool = true;
/// Offsets (ms) of wall-clock hours, direct-mapped.
const HOURS: usize = 1024;
/// (set to NaN, "no hour", by `clock_begin`)
static mut HOUR_KEY: [f64; HOURS] = [0.0; HOURS];
static mut HOUR_OFFSET: [f64; HOURS] = [0.0; HOURS];
/// What the clock asks: 1 the shifts of `NEED_CLOCK_VALUE` (a year), 2 the offset of an hour.
static mut NEED_CLOCK_KIND: i32 = 0;
static mut NEED_CLOCK_VALUE: f64 = 0.0;

/// Events keep their provisional times (no clock): for readers that place them themselves.
static mut CLOCK_ON: bool = false;

#[no_mangle]
pub unsafe extern "C" fn clock_off() {
    CLOCK_ON = false;
}

/// Set the clock (a file's, or back to where a file's was): the last
/// provisional time, the year, the rollovers, and whether the zone is UTC.
#[no_mangle]
pub unsafe extern "C" fn clock_begin(last: f64, year: i32, rollovers: i32, utc: i32, provisional_march: f64) {
    CLOCK_ON = true;
    CLOCK_LAST = last;
    CLOCK_YEAR = year;
    CLOCK_ROLLOVERS = rollovers;
    SHIFT_YEAR = i32::MIN;
    ZONE_UTC = utc != 0;
    PROVISIONAL_MARCH = provisional_march;
    for v in HOUR_KEY.iter_mut() {
        *v = f64::NAN;
    }
}

#[no_mangle]
pub unsafe extern "C" fn set_year_shifts(year: i32, before: f64, from: f64) {
    SHIFT_YEAR = year;
    SHIFT_BEFORE = before;
    SHIFT_FROM = from;
}

#[no_mangle]
pub unsafe extern "C" fn set_hour_offset(hour: f64, offset: f64) {
    let slot = (hour as i64 as usize) & (HOURS - 1);
    HOUR_KEY[slot] = hour;
    HOUR_OFFSET[slot] = offset;
}

/// UTC ms of provisional time `p` (the clock unchanged), or None with the question set.
unsafe fn clock_time(p: f64) -> Option<f64> {
    let year = if p < CLOCK_LAST - ROLLOVER_GAP { CLOCK_YEAR + 1 } else { CLOCK_YEAR };
    if year != SHIFT_YEAR {
        NEED_CLOCK_KIND = 1;
        NEED_CLOCK_VALUE = year as f64;
        return None;
    }
    let wall = p + if p < PROVISIONAL_MARCH { SHIFT_BEFORE } else { SHIFT_FROM };
    if ZONE_UTC {
        return Some(wall);
    }
    let hour = floor(wall / 3_600_000.0);
    let slot = (hour as i64 as usize) & (HOURS - 1);
    if HOUR_KEY[slot] != hour {
        NEED_CLOCK_KIND = 2;
        NEED_CLOCK_VALUE = hour;
        return None;
    }
    Some(wall - HOUR_OFFSET[slot])
}

/// Math.floor (no_std has no f64::floor): exact for the times of logs (|x| < 2^52).
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// The clock has seen provisional time `p` (of an event written).
unsafe fn clock_advance(p: f64) {
    if p < CLOCK_LAST - ROLLOVER_GAP {
        CLOCK_YEAR += 1;
        CLOCK_ROLLOVERS += 1;
    }
    CLOCK_LAST = p;
}

/// For an event TypeScript read: its UTC ms, the clock advanced; NaN when a question is set.
#[no_mangle]
pub unsafe extern "C" fn clock_utc(p: f64) -> f64 {
    match clock_time(p) {
        Some(t) => {
            clock_advance(p);
            t
        }
        None => f64::NAN,
    }
}

#[no_mangle]
pub unsafe extern "C" fn clock_last() -> f64 {
    CLOCK_LAST
}

#[no_mangle]
pub unsafe extern "C" fn clock_year() -> i32 {
    CLOCK_YEAR
}

#[no_mangle]
pub unsafe extern "C" fn clock_rollovers() -> i32 {
    CLOCK_ROLLOVERS
}

#[no_mangle]
pub unsafe extern "C" fn need_clock_kind() -> i32 {
    NEED_CLOCK_KIND
}

#[no_mangle]
pub unsafe extern "C" fn need_clock_value() -> f64 {
    NEED_CLOCK_VALUE
}

/// Events in this `run`'s records, and their first and last UTC time.
static mut BATCH_EVENTS: usize = 0;
static mut BATCH_FIRST: f64 = f64::NAN;
static mut BATCH_LAST: f64 = f64::NAN;

#[no_mangle]
pub unsafe extern "C" fn batch_events() -> usize {
    BATCH_EVENTS
}

#[no_mangle]
pub unsafe extern "C" fn batch_first() -> f64 {
    BATCH_FIRST
}

#[no_mangle]
pub unsafe extern "C" fn batch_last() -> f64 {
    BATCH_LAST
}

// ---------------------------------------------------------------------------
// Exports.

#[no_mangle]
pub unsafe extern "C" fn input() -> *mut u8 {
    INPUT_BUFFER.0.as_mut_ptr()
}

#[no_mangle]
pub extern "C" fn input_capacity() -> usize {
    INPUT_CAP
}

#[no_mangle]
pub unsafe extern "C" fn records() -> *const i32 {
    OUT.as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn times() -> *const f64 {
    TIMES.as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn month_starts() -> *mut f64 {
    MONTH_START.as_mut_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn record_count() -> usize {
    RECORDS
}

#[no_mangle]
pub unsafe extern "C" fn position() -> usize {
    POS
}

#[no_mangle]
pub unsafe extern "C" fn line() -> i32 {
    LINE
}

#[no_mangle]
pub unsafe extern "C" fn need_type() -> i32 {
    NEED_TYPE
}

#[no_mangle]
pub unsafe extern "C" fn need_start() -> i32 {
    NEED_START
}

#[no_mangle]
pub unsafe extern "C" fn need_length() -> i32 {
    NEED_LENGTH
}

#[no_mangle]
pub unsafe extern "C" fn new_values() -> *const u32 {
    NEW.as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn new_count() -> usize {
    NEW_COUNT
}

#[no_mangle]
pub unsafe extern "C" fn arena_of(t: usize) -> *const u8 {
    arena(t).as_ptr()
}

#[no_mangle]
pub unsafe extern "C" fn arena_size(t: usize) -> usize {
    ARENA[t]
}

#[no_mangle]
pub unsafe extern "C" fn generation() -> i32 {
    GENERATION
}

/// Start reading the whole lines in `[start, end)` of the input, the first
/// being line `first_line`. (What follows `end` is never read as part of a
/// line: every line ends in a `\n` before it, and no text compared contains one.)
#[no_mangle]
pub unsafe extern "C" fn begin(start: usize, end: usize, first_line: i32) {
    END = if end <= INPUT_CAP { end } else { 0 };
    POS = start;
    LINE = first_line;
}

/// Skip the line at `position()` (TypeScript read it): returns its end.
#[no_mangle]
pub unsafe extern "C" fn pass_line() -> usize {
    let mut i = POS;
    while i < END && b(i) != b'\n' {
        i += 1;
    }
    POS = i + 1;
    LINE += 1;
    POS
}

/// Read lines from `position()` until the chunk ends (DONE), the output is
/// full (FULL), a value must be added (NEED) or a line must take the
/// TypeScript path (FALLBACK); the records of this call are at `records()`.
#[no_mangle]
pub unsafe extern "C" fn run() -> i32 {
    RECORDS = 0;
    NEW_COUNT = 0;
    BATCH_EVENTS = 0;
    BATCH_FIRST = f64::NAN;
    BATCH_LAST = f64::NAN;
    BATCH_GATHERED = GATHER_AT_EMIT;
    if RESET_PENDING {
        reset_tables();
    }
    while POS < END {
        // (a line adds at most four values)
        if RECORDS == OUT_CAP || NEW_COUNT + 4 > NEW_CAP {
            return FULL;
        }
        let outcome = read_line(POS);
        if outcome.0 < STATUSES {
            POS = outcome.0 as usize;
            LINE += 1;
            continue;
        }
        return match outcome {
            FALL_BACK => FALLBACK,
            NEEDS_VALUE => NEED,
            STOP => FULL,
            _ => NEED_CLOCK,
        };
    }
    DONE
}
