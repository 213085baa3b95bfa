/**
 * A byte-level scanner for syslog files (auth.log, secure): the fast path of
 * {@linkcode createSyslogParser}, for chunks of whole lines as
 * {@linkcode readChunks} hands them out.
 *
 * The lines that make up nearly all of an attacked server's auth.log are read
 * straight from the bytes, looking at each byte about once: the header (a
 * classic syslog stamp, its day and minute cached; the host, cached; an
 * `sshd[pid]:`, `sshd-session[pid]:` or `sshd-auth[pid]:` tag) and the
 * messages `Failed|Accepted METHOD for …`, `Invalid|Illegal user …`,
 * `pam_unix(sshd:auth): authentication failure; … rhost=…`, `Connection
 * closed|reset by …`, `Disconnected from …`, `Disconnecting … Too many
 * authentication failures`, `maximum authentication attempts exceeded …`,
 * `Received disconnect from …`, `Did not receive identification string …`,
 * `Bad protocol version identification …`, `Unable to negotiate …`, `banner
 * exchange: …`, `reverse mapping checking getaddrinfo …`, `Timeout before
 * authentication …`, with the `error: ` / `fatal: ` / `PAM: ` prefixes and
 * rsyslog's `message repeated N times: [ … ]` around them. Messages jailbook
 * does not use (other programs, sessions, `PAM 2 more authentication
 * failures`, …) are passed over as soon as that is certain.
 *
 * Any line the scanner is not certain about — another message, non-ASCII or
 * NUL bytes, an odd header, a fraction of a second, an RFC 3339 stamp,
 * unusual spacing, a user name with spaces — is decoded on its own (with the
 * damage reporting of {@linkcode readLines}) and handed to
 * {@linkcode createSyslogParser}, which stays the reference: the scanner
 * reports exactly the events, bad lines and skipped lines the string parser
 * reports for the same lines (tests/syslog_fast_test.ts compares them).
 *
 * IPs, user names and details are interned by their bytes: a repeated address
 * costs a comparison, no new string, and the strings handed out are compact
 * copies that pin no chunk of the file.
 *
 * @module
 */
import { type LineSink, type LogParser, type ParsedEvent, TimeKind } from "./types.ts";
import { normalizeIp } from "./ip.ts";
import { decodeLine, type ReadResult } from "./read.ts";
import {
  asciiDecoder,
  findLineEnd,
  hashRange,
  Interner,
  scannableChunk,
  scanToken,
  tokenEnd,
} from "./bytes.ts";
import {
  ACCEPTED_OTHER,
  ACCEPTED_PASSWORD,
  ACCEPTED_PUBLICKEY,
  AUTH_FAILURE,
  BAD_PROTOCOL,
  CLOSED_PREAUTH,
  DISCONNECTED_PREAUTH,
  FAILED_KEYBOARD_INTERACTIVE,
  FAILED_OTHER,
  FAILED_PASSWORD,
  FAILED_PUBLICKEY,
  INVALID_USER,
  MAX_AUTH_ATTEMPTS,
  NO_IDENTIFICATION,
  REVERSE_MAPPING,
  type SshdPattern,
  sshdScratchEvent,
  UNABLE_TO_NEGOTIATE,
} from "./sshd.ts";
import { createSyslogParser } from "./syslog.ts";
import { PROVISIONAL_YEAR } from "./time.ts";

const INVALID_USER_DETAIL = "invalid user";
const TIMEOUT_DETAIL = "timeout before authentication";

/** Returned by the message readers: the line must take the string path. */
const FALLBACK = -1;

// ---------------------------------------------------------------------------
// Constant texts, compared four bytes at a time: each number is the
// little-endian 32-bit word of four characters of the text in the comment, at
// offsets 0, 4, 8, … and (overlapping) length − 4. A comparison stops at the
// first word that differs, so it never reads more than three bytes past the
// "\n" of a line. tests/syslog_fast_test.ts checks every one against its text.

/** `Failed ` at `i`. */
function atFailed(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6c696146 &&
    view.getInt32(i + 3, true) === 0x2064656c;
}

/** `Accepted ` at `i`. */
function atAccepted(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x65636341 &&
    view.getInt32(i + 4, true) === 0x64657470 &&
    view.getInt32(i + 5, true) === 0x20646574;
}

/** `password for ` at `i`. */
function atPasswordFor(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x73736170 &&
    view.getInt32(i + 4, true) === 0x64726f77 &&
    view.getInt32(i + 8, true) === 0x726f6620 &&
    view.getInt32(i + 9, true) === 0x20726f66;
}

/** `publickey for ` at `i`. */
function atPublickeyFor(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6c627570 &&
    view.getInt32(i + 4, true) === 0x656b6369 &&
    view.getInt32(i + 8, true) === 0x6f662079 &&
    view.getInt32(i + 10, true) === 0x20726f66;
}

/** `keyboard-interactive` at `i`. */
function atKeyboardInteractive(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6279656b &&
    view.getInt32(i + 4, true) === 0x6472616f &&
    view.getInt32(i + 8, true) === 0x746e692d &&
    view.getInt32(i + 12, true) === 0x63617265 &&
    view.getInt32(i + 16, true) === 0x65766974;
}

/** ` for ` at `i`. */
function atFor(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x726f6620 &&
    view.getInt32(i + 1, true) === 0x20726f66;
}

/** ` from ` at `i`. */
function atFrom(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6f726620 &&
    view.getInt32(i + 2, true) === 0x206d6f72;
}

/** ` port ` at `i`. */
function atPort(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x726f7020 &&
    view.getInt32(i + 2, true) === 0x2074726f;
}

/** ` ssh` at `i`. */
function atSsh(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x68737320;
}

/** `invalid user ` at `i`. */
function atInvalidUser(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x61766e69 &&
    view.getInt32(i + 4, true) === 0x2064696c &&
    view.getInt32(i + 8, true) === 0x72657375 &&
    view.getInt32(i + 9, true) === 0x20726573;
}

/** `illegal user ` at `i`. */
function atIllegalUser(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x656c6c69 &&
    view.getInt32(i + 4, true) === 0x206c6167 &&
    view.getInt32(i + 8, true) === 0x72657375 &&
    view.getInt32(i + 9, true) === 0x20726573;
}

/** `authenticating user ` at `i`. */
function atAuthenticatingUser(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x68747561 &&
    view.getInt32(i + 4, true) === 0x69746e65 &&
    view.getInt32(i + 8, true) === 0x69746163 &&
    view.getInt32(i + 12, true) === 0x7520676e &&
    view.getInt32(i + 16, true) === 0x20726573;
}

/** `user ` at `i`. */
function atUser(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x72657375 &&
    view.getInt32(i + 1, true) === 0x20726573;
}

/** `Invalid user ` at `i`. */
function atInvalidUserCap(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x61766e49 &&
    view.getInt32(i + 4, true) === 0x2064696c &&
    view.getInt32(i + 8, true) === 0x72657375 &&
    view.getInt32(i + 9, true) === 0x20726573;
}

/** `Illegal user ` at `i`. */
function atIllegalUserCap(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x656c6c49 &&
    view.getInt32(i + 4, true) === 0x206c6167 &&
    view.getInt32(i + 8, true) === 0x72657375 &&
    view.getInt32(i + 9, true) === 0x20726573;
}

/** `Address ` at `i`. */
function atAddress(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x72646441 &&
    view.getInt32(i + 4, true) === 0x20737365;
}

/** `Authentication ` at `i`. */
function atAuthenticationCap(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x68747541 &&
    view.getInt32(i + 4, true) === 0x69746e65 &&
    view.getInt32(i + 8, true) === 0x69746163 &&
    view.getInt32(i + 11, true) === 0x206e6f69;
}

/** `authentication ` at `i`. */
function atAuthentication(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x68747561 &&
    view.getInt32(i + 4, true) === 0x69746e65 &&
    view.getInt32(i + 8, true) === 0x69746163 &&
    view.getInt32(i + 11, true) === 0x206e6f69;
}

/** `Connection closed by ` at `i`. */
function atConnectionClosedBy(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6e6e6f43 &&
    view.getInt32(i + 4, true) === 0x69746365 &&
    view.getInt32(i + 8, true) === 0x63206e6f &&
    view.getInt32(i + 12, true) === 0x65736f6c &&
    view.getInt32(i + 16, true) === 0x79622064 &&
    view.getInt32(i + 17, true) === 0x20796220;
}

/** `Connection reset by ` at `i`. */
function atConnectionResetBy(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6e6e6f43 &&
    view.getInt32(i + 4, true) === 0x69746365 &&
    view.getInt32(i + 8, true) === 0x72206e6f &&
    view.getInt32(i + 12, true) === 0x74657365 &&
    view.getInt32(i + 16, true) === 0x20796220;
}

/** `Disconnected from ` at `i`. */
function atDisconnectedFrom(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x63736944 &&
    view.getInt32(i + 4, true) === 0x656e6e6f &&
    view.getInt32(i + 8, true) === 0x64657463 &&
    view.getInt32(i + 12, true) === 0x6f726620 &&
    view.getInt32(i + 14, true) === 0x206d6f72;
}

/** `Disconnecting ` at `i`. */
function atDisconnecting(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x63736944 &&
    view.getInt32(i + 4, true) === 0x656e6e6f &&
    view.getInt32(i + 8, true) === 0x6e697463 &&
    view.getInt32(i + 10, true) === 0x20676e69;
}

/** `Did not receive identification string from ` at `i`. */
function atDidNotReceive(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x20646944 &&
    view.getInt32(i + 4, true) === 0x20746f6e &&
    view.getInt32(i + 8, true) === 0x65636572 &&
    view.getInt32(i + 12, true) === 0x20657669 &&
    view.getInt32(i + 16, true) === 0x6e656469 &&
    view.getInt32(i + 20, true) === 0x69666974 &&
    view.getInt32(i + 24, true) === 0x69746163 &&
    view.getInt32(i + 28, true) === 0x73206e6f &&
    view.getInt32(i + 32, true) === 0x6e697274 &&
    view.getInt32(i + 36, true) === 0x72662067 &&
    view.getInt32(i + 39, true) === 0x206d6f72;
}

/** `Unable to negotiate with ` at `i`. */
function atUnableToNegotiate(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x62616e55 &&
    view.getInt32(i + 4, true) === 0x7420656c &&
    view.getInt32(i + 8, true) === 0x656e206f &&
    view.getInt32(i + 12, true) === 0x69746f67 &&
    view.getInt32(i + 16, true) === 0x20657461 &&
    view.getInt32(i + 20, true) === 0x68746977 &&
    view.getInt32(i + 21, true) === 0x20687469;
}

/** `User ` at `i`. */
function atUserCap(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x72657355 &&
    view.getInt32(i + 1, true) === 0x20726573;
}

/** `Bad protocol version identification ` at `i`. */
function atBadProtocol(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x20646142 &&
    view.getInt32(i + 4, true) === 0x746f7270 &&
    view.getInt32(i + 8, true) === 0x6c6f636f &&
    view.getInt32(i + 12, true) === 0x72657620 &&
    view.getInt32(i + 16, true) === 0x6e6f6973 &&
    view.getInt32(i + 20, true) === 0x65646920 &&
    view.getInt32(i + 24, true) === 0x6669746e &&
    view.getInt32(i + 28, true) === 0x74616369 &&
    view.getInt32(i + 32, true) === 0x206e6f69;
}

/** `ROOT LOGIN REFUSED` at `i`. */
function atRootLoginRefused(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x544f4f52 &&
    view.getInt32(i + 4, true) === 0x474f4c20 &&
    view.getInt32(i + 8, true) === 0x52204e49 &&
    view.getInt32(i + 12, true) === 0x53554645 &&
    view.getInt32(i + 14, true) === 0x44455355;
}

/** `Received disconnect from ` at `i`. */
function atReceivedDisconnect(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x65636552 &&
    view.getInt32(i + 4, true) === 0x64657669 &&
    view.getInt32(i + 8, true) === 0x73696420 &&
    view.getInt32(i + 12, true) === 0x6e6e6f63 &&
    view.getInt32(i + 16, true) === 0x20746365 &&
    view.getInt32(i + 20, true) === 0x6d6f7266 &&
    view.getInt32(i + 21, true) === 0x206d6f72;
}

/** `banner exchange: Connection from ` at `i`. */
function atBannerExchange(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6e6e6162 &&
    view.getInt32(i + 4, true) === 0x65207265 &&
    view.getInt32(i + 8, true) === 0x61686378 &&
    view.getInt32(i + 12, true) === 0x3a65676e &&
    view.getInt32(i + 16, true) === 0x6e6f4320 &&
    view.getInt32(i + 20, true) === 0x7463656e &&
    view.getInt32(i + 24, true) === 0x206e6f69 &&
    view.getInt32(i + 28, true) === 0x6d6f7266 &&
    view.getInt32(i + 29, true) === 0x206d6f72;
}

/** `reverse mapping checking getaddrinfo for ` at `i`. */
function atReverseMapping(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x65766572 &&
    view.getInt32(i + 4, true) === 0x20657372 &&
    view.getInt32(i + 8, true) === 0x7070616d &&
    view.getInt32(i + 12, true) === 0x20676e69 &&
    view.getInt32(i + 16, true) === 0x63656863 &&
    view.getInt32(i + 20, true) === 0x676e696b &&
    view.getInt32(i + 24, true) === 0x74656720 &&
    view.getInt32(i + 28, true) === 0x72646461 &&
    view.getInt32(i + 32, true) === 0x6f666e69 &&
    view.getInt32(i + 36, true) === 0x726f6620 &&
    view.getInt32(i + 37, true) === 0x20726f66;
}

/** `refused connect from ` at `i`. */
function atRefusedConnect(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x75666572 &&
    view.getInt32(i + 4, true) === 0x20646573 &&
    view.getInt32(i + 8, true) === 0x6e6e6f63 &&
    view.getInt32(i + 12, true) === 0x20746365 &&
    view.getInt32(i + 16, true) === 0x6d6f7266 &&
    view.getInt32(i + 17, true) === 0x206d6f72;
}

/** `pam_` at `i`. */
function atPamUnderscore(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x5f6d6170;
}

/** `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=` at `i`. */
function atPamAuthFailure(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x5f6d6170 &&
    view.getInt32(i + 4, true) === 0x78696e75 &&
    view.getInt32(i + 8, true) === 0x68737328 &&
    view.getInt32(i + 12, true) === 0x75613a64 &&
    view.getInt32(i + 16, true) === 0x3a296874 &&
    view.getInt32(i + 20, true) === 0x74756120 &&
    view.getInt32(i + 24, true) === 0x746e6568 &&
    view.getInt32(i + 28, true) === 0x74616369 &&
    view.getInt32(i + 32, true) === 0x206e6f69 &&
    view.getInt32(i + 36, true) === 0x6c696166 &&
    view.getInt32(i + 40, true) === 0x3b657275 &&
    view.getInt32(i + 44, true) === 0x676f6c20 &&
    view.getInt32(i + 48, true) === 0x656d616e &&
    view.getInt32(i + 52, true) === 0x6975203d &&
    view.getInt32(i + 56, true) === 0x20303d64 &&
    view.getInt32(i + 60, true) === 0x64697565 &&
    view.getInt32(i + 64, true) === 0x7420303d &&
    view.getInt32(i + 68, true) === 0x733d7974 &&
    view.getInt32(i + 72, true) === 0x72206873 &&
    view.getInt32(i + 76, true) === 0x72657375 &&
    view.getInt32(i + 80, true) === 0x6872203d &&
    view.getInt32(i + 84, true) === 0x3d74736f;
}

/** `pam_unix(sshd:auth): check pass; user unknown` at `i`. */
function atPamCheckPass(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x5f6d6170 &&
    view.getInt32(i + 4, true) === 0x78696e75 &&
    view.getInt32(i + 8, true) === 0x68737328 &&
    view.getInt32(i + 12, true) === 0x75613a64 &&
    view.getInt32(i + 16, true) === 0x3a296874 &&
    view.getInt32(i + 20, true) === 0x65686320 &&
    view.getInt32(i + 24, true) === 0x70206b63 &&
    view.getInt32(i + 28, true) === 0x3b737361 &&
    view.getInt32(i + 32, true) === 0x65737520 &&
    view.getInt32(i + 36, true) === 0x6e752072 &&
    view.getInt32(i + 40, true) === 0x776f6e6b &&
    view.getInt32(i + 41, true) === 0x6e776f6e;
}

/** `  user=` at `i`. */
function atPamUser2(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x73752020 &&
    view.getInt32(i + 3, true) === 0x3d726573;
}

/** ` user=` at `i`. */
function atPamUser1(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x65737520 &&
    view.getInt32(i + 2, true) === 0x3d726573;
}

/** `maximum authentication attempts exceeded for ` at `i`. */
function atMaximumAttempts(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6978616d &&
    view.getInt32(i + 4, true) === 0x206d756d &&
    view.getInt32(i + 8, true) === 0x68747561 &&
    view.getInt32(i + 12, true) === 0x69746e65 &&
    view.getInt32(i + 16, true) === 0x69746163 &&
    view.getInt32(i + 20, true) === 0x61206e6f &&
    view.getInt32(i + 24, true) === 0x6d657474 &&
    view.getInt32(i + 28, true) === 0x20737470 &&
    view.getInt32(i + 32, true) === 0x65637865 &&
    view.getInt32(i + 36, true) === 0x64656465 &&
    view.getInt32(i + 40, true) === 0x726f6620 &&
    view.getInt32(i + 41, true) === 0x20726f66;
}

/** `message repeated ` at `i`. */
function atMessageRepeated(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x7373656d &&
    view.getInt32(i + 4, true) === 0x20656761 &&
    view.getInt32(i + 8, true) === 0x65706572 &&
    view.getInt32(i + 12, true) === 0x64657461 &&
    view.getInt32(i + 13, true) === 0x20646574;
}

/** ` times: [` at `i`. */
function atTimes(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6d697420 &&
    view.getInt32(i + 4, true) === 0x203a7365 &&
    view.getInt32(i + 5, true) === 0x5b203a73;
}

/** `Timeout before authentication for ` at `i`. */
function atTimeoutBeforeAuth(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x656d6954 &&
    view.getInt32(i + 4, true) === 0x2074756f &&
    view.getInt32(i + 8, true) === 0x6f666562 &&
    view.getInt32(i + 12, true) === 0x61206572 &&
    view.getInt32(i + 16, true) === 0x65687475 &&
    view.getInt32(i + 20, true) === 0x6369746e &&
    view.getInt32(i + 24, true) === 0x6f697461 &&
    view.getInt32(i + 28, true) === 0x6f66206e &&
    view.getInt32(i + 30, true) === 0x20726f66;
}

/** `connection from ` at `i`. */
function atConnectionFrom(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6e6e6f63 &&
    view.getInt32(i + 4, true) === 0x69746365 &&
    view.getInt32(i + 8, true) === 0x66206e6f &&
    view.getInt32(i + 12, true) === 0x206d6f72;
}

/** `Nasty PTR record ` at `i`. */
function atNastyPtr(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x7473614e &&
    view.getInt32(i + 4, true) === 0x54502079 &&
    view.getInt32(i + 8, true) === 0x65722052 &&
    view.getInt32(i + 12, true) === 0x64726f63 &&
    view.getInt32(i + 13, true) === 0x2064726f;
}

/** `drop con` at `i` (of `drop connection #`: the string path reads the rest). */
function atDropCon(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x706f7264 && view.getInt32(i + 4, true) === 0x6e6f6320;
}

/** `error: ` at `i`. */
function atError(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6f727265 &&
    view.getInt32(i + 3, true) === 0x203a726f;
}

/** `fatal: ` at `i`. */
function atFatal(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x61746166 &&
    view.getInt32(i + 3, true) === 0x203a6c61;
}

/** `PAM: ` at `i`. */
function atPamColon(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x3a4d4150 &&
    view.getInt32(i + 1, true) === 0x203a4d41;
}

/** `[ID ` at `i`. */
function atSolarisId(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x2044495b;
}

/** `: Too many authentication failures` at `i`. */
function atTooManyFailures(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6f54203a &&
    view.getInt32(i + 4, true) === 0x616d206f &&
    view.getInt32(i + 8, true) === 0x6120796e &&
    view.getInt32(i + 12, true) === 0x65687475 &&
    view.getInt32(i + 16, true) === 0x6369746e &&
    view.getInt32(i + 20, true) === 0x6f697461 &&
    view.getInt32(i + 24, true) === 0x6166206e &&
    view.getInt32(i + 28, true) === 0x72756c69 &&
    view.getInt32(i + 30, true) === 0x73657275;
}

/** ` [preauth]` at `i`. */
function atPreauth(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x72705b20 &&
    view.getInt32(i + 4, true) === 0x74756165 &&
    view.getInt32(i + 6, true) === 0x5d687475;
}

/** ` [preauth]]` at `i`. */
function atPreauthRepeated(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x72705b20 &&
    view.getInt32(i + 4, true) === 0x74756165 &&
    view.getInt32(i + 7, true) === 0x5d5d6874;
}

/** `: Auth fail` at `i`. */
function atAuthFail(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x7541203a &&
    view.getInt32(i + 4, true) === 0x66206874 &&
    view.getInt32(i + 7, true) === 0x6c696166;
}

/** `No supported authentication methods available` at `i`. */
function atNoSupportedMethods(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x73206f4e &&
    view.getInt32(i + 4, true) === 0x6f707075 &&
    view.getInt32(i + 8, true) === 0x64657472 &&
    view.getInt32(i + 12, true) === 0x74756120 &&
    view.getInt32(i + 16, true) === 0x746e6568 &&
    view.getInt32(i + 20, true) === 0x74616369 &&
    view.getInt32(i + 24, true) === 0x206e6f69 &&
    view.getInt32(i + 28, true) === 0x6874656d &&
    view.getInt32(i + 32, true) === 0x2073646f &&
    view.getInt32(i + 36, true) === 0x69617661 &&
    view.getInt32(i + 40, true) === 0x6c62616c &&
    view.getInt32(i + 41, true) === 0x656c6261;
}

/** `No authentication methods available` at `i`. */
function atNoMethods(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x61206f4e &&
    view.getInt32(i + 4, true) === 0x65687475 &&
    view.getInt32(i + 8, true) === 0x6369746e &&
    view.getInt32(i + 12, true) === 0x6f697461 &&
    view.getInt32(i + 16, true) === 0x656d206e &&
    view.getInt32(i + 20, true) === 0x646f6874 &&
    view.getInt32(i + 24, true) === 0x76612073 &&
    view.getInt32(i + 28, true) === 0x616c6961 &&
    view.getInt32(i + 31, true) === 0x656c6261;
}

/** `. Their offer:` at `i`. */
function atTheirOffer(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6854202e &&
    view.getInt32(i + 4, true) === 0x20726965 &&
    view.getInt32(i + 8, true) === 0x6566666f &&
    view.getInt32(i + 10, true) === 0x3a726566;
}

/** `] failed` at `i`. */
function atBracketFailed(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6166205d &&
    view.getInt32(i + 4, true) === 0x64656c69;
}

/** `sshd` at `i`. */
function atSshd(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x64687373;
}

/** `sshd-session[` at `i`. */
function atSshdSession(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x64687373 &&
    view.getInt32(i + 4, true) === 0x7365732d &&
    view.getInt32(i + 8, true) === 0x6e6f6973 &&
    view.getInt32(i + 9, true) === 0x5b6e6f69;
}

/** `sshd-auth[` at `i`. */
function atSshdAuth(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x64687373 &&
    view.getInt32(i + 4, true) === 0x7475612d &&
    view.getInt32(i + 6, true) === 0x5b687475;
}

/** @internal Every matcher above with its text, for tests. */
export const TEXT_MATCHERS: readonly [(view: DataView, i: number) => boolean, string][] = [
  [atFailed, "Failed "],
  [atAccepted, "Accepted "],
  [atPasswordFor, "password for "],
  [atPublickeyFor, "publickey for "],
  [atKeyboardInteractive, "keyboard-interactive"],
  [atFor, " for "],
  [atFrom, " from "],
  [atPort, " port "],
  [atSsh, " ssh"],
  [atInvalidUser, "invalid user "],
  [atIllegalUser, "illegal user "],
  [atAuthenticatingUser, "authenticating user "],
  [atUser, "user "],
  [atInvalidUserCap, "Invalid user "],
  [atIllegalUserCap, "Illegal user "],
  [atAddress, "Address "],
  [atAuthenticationCap, "Authentication "],
  [atAuthentication, "authentication "],
  [atConnectionClosedBy, "Connection closed by "],
  [atConnectionResetBy, "Connection reset by "],
  [atDisconnectedFrom, "Disconnected from "],
  [atDisconnecting, "Disconnecting "],
  [atDidNotReceive, "Did not receive identification string from "],
  [atUnableToNegotiate, "Unable to negotiate with "],
  [atUserCap, "User "],
  [atBadProtocol, "Bad protocol version identification "],
  [atRootLoginRefused, "ROOT LOGIN REFUSED"],
  [atReceivedDisconnect, "Received disconnect from "],
  [atBannerExchange, "banner exchange: Connection from "],
  [atReverseMapping, "reverse mapping checking getaddrinfo for "],
  [atRefusedConnect, "refused connect from "],
  [atPamUnderscore, "pam_"],
  [
    atPamAuthFailure,
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=",
  ],
  [atPamCheckPass, "pam_unix(sshd:auth): check pass; user unknown"],
  [atPamUser2, "  user="],
  [atPamUser1, " user="],
  [atMaximumAttempts, "maximum authentication attempts exceeded for "],
  [atMessageRepeated, "message repeated "],
  [atTimes, " times: ["],
  [atTimeoutBeforeAuth, "Timeout before authentication for "],
  [atConnectionFrom, "connection from "],
  [atNastyPtr, "Nasty PTR record "],
  [atDropCon, "drop con"],
  [atError, "error: "],
  [atFatal, "fatal: "],
  [atPamColon, "PAM: "],
  [atSolarisId, "[ID "],
  [atTooManyFailures, ": Too many authentication failures"],
  [atPreauth, " [preauth]"],
  [atPreauthRepeated, " [preauth]]"],
  [atAuthFail, ": Auth fail"],
  [atNoSupportedMethods, "No supported authentication methods available"],
  [atNoMethods, "No authentication methods available"],
  [atTheirOffer, ". Their offer:"],
  [atBracketFailed, "] failed"],
  [atSshd, "sshd"],
  [atSshdSession, "sshd-session["],
  [atSshdAuth, "sshd-auth["],
];

/** Bytes of IPv4 / IPv6 address text: hex digits, `:` and `.`. */
const ADDRESS_CHAR = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF:.") ADDRESS_CHAR[c.charCodeAt(0)] = 1;

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

/** Month index (0–11) of the three bytes at `i`, or -1. */
function monthOf(b: Uint8Array, i: number): number {
  const x = b[i], y = b[i + 1], z = b[i + 2];
  for (let m = 0; m < 36; m += 3) {
    if (
      MONTHS.charCodeAt(m) === x && MONTHS.charCodeAt(m + 1) === y && MONTHS.charCodeAt(m + 2) === z
    ) {
      return m / 3;
    }
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** True when every character of `text` may be in an address (hex digits, `:`, `.`). */
function isAddressText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (ADDRESS_CHAR[text.charCodeAt(i)] !== 1) return false;
  }
  return text.length > 0;
}

// The tables are shared by all scanners: their values depend on the bytes only.
/** The normalised IP of an address token as logged, or `""` when it is not an IP. */
export function ipValue(text: string): string {
  return isAddressText(text) ? normalizeIp(text) ?? "" : "";
}

/** Normalised IPs by their text as logged (`""`: not an IP). */
const ips = new Interner(ipValue, 13, 17);
/** User names as logged. */
const users = new Interner((text) => text, 12, 17);
/** Details (`3: … Auth fail`, method names, negotiation failures, host names) as logged. */
const details = new Interner((text) => text, 8, 14);
/** `METHOD, invalid user` by method. */
const invalidMethodDetail = new Map<string, string>();

// ---------------------------------------------------------------------------
// The scanner. The message readers below work on module-level state set by
// `SyslogScanner.scan` (one scan runs at a time: JavaScript is single-threaded
// and a scan never awaits).

/** The chunk being scanned, a DataView of it and its buffer as 32-bit words. */
let chunk: Uint8Array = new Uint8Array(0);
let chunkView: DataView = new DataView(chunk.buffer);
let chunkWords: Int32Array = new Int32Array(0);
/** Offset of `chunk` in its buffer, in bytes (a multiple of 4). */
let base = 0;
/** The scanner running (for emit / skip / fallback). */
let scanner: SyslogScanner;
/** Inside `message repeated N times: [ … ]`: N, else undefined. */
let repeatCount: number | undefined;
/** The message end found by {@linkcode messageEnd} had ` [preauth]`. */
let preauthSeen = false;
/** The tag was `sshd-auth` (OpenSSH 10): every message is before authentication. */
let authProgram = false;
/** The port read by the last {@linkcode scanPort} or {@linkcode addressTail}. */
let scannedPort: number | undefined;
/** The normalised IP read by the last {@linkcode addressTail} (`""`: not an IP). */
let tailIp = "";
/** The message end (trimmed, without ` [preauth]`) found by {@linkcode messageBounds}. */
let boundEnd = 0;

/** {@linkcode findLineEnd} in the chunk being scanned. */
function lineEnd(i: number): number {
  return findLineEnd(chunk, chunkWords, base, i);
}

/**
 * When the message ends at `i` — the line break (`\n` or `\r\n`), optionally
 * after ` [preauth]`; inside `message repeated` the closing `]` before it —
 * the index of the `\n`, else -1. Sets `preauthSeen`.
 */
function messageEnd(i: number): number {
  const b = chunk;
  let c = b[i];
  preauthSeen = false;
  if (c === 10) return repeatCount === undefined ? i : -1;
  const view = chunkView;
  if (repeatCount === undefined) {
    if (c === 32 && atPreauth(view, i)) {
      preauthSeen = true;
      i += 10;
      c = b[i];
    }
  } else if (c === 93 /* ] */) {
    c = b[++i];
  } else if (c === 32 && atPreauthRepeated(view, i)) {
    preauthSeen = true;
    i += 11;
    c = b[i];
  } else return -1;
  if (c === 10) return i;
  if (c === 13 && b[i + 1] === 10) return i + 1;
  return -1;
}

/**
 * The end of the message from `messageStart` as sshd.ts sees it — without
 * trailing white space and ` [preauth]` — in `boundEnd`; returns the index
 * of the line's `\n` (scanning from `from`), or -1 when the line must take
 * the string path (damaged bytes, or inside `message repeated`).
 */
function messageBounds(from: number, messageStart: number): number {
  if (repeatCount !== undefined) return -1;
  const nl = lineEnd(from);
  if (nl === -1) return -1;
  const b = chunk;
  let end = nl;
  while (end > messageStart && isSpace(b[end - 1])) end--;
  if (end - messageStart > 10 && b[end - 1] === 93 && atPreauth(chunkView, end - 10)) {
    end -= 10;
    while (end > messageStart && isSpace(b[end - 1])) end--;
  }
  boundEnd = end;
  return nl;
}

/** Pass over the rest of a line that yields nothing; FALLBACK when it holds damaged bytes. */
function skipRest(i: number): number {
  const nl = lineEnd(i);
  if (nl === -1) return FALLBACK;
  scanner.sink.skip?.();
  return nl + 1;
}

/** Report a line that yields nothing whose end is known. */
function skipped(nl: number): number {
  scanner.sink.skip?.();
  return nl + 1;
}

/** A port of 1–5 digits (≤ 65535) at `i`: the index after it (sets `scannedPort`), or -1. */
function scanPort(i: number): number {
  const b = chunk;
  let value = 0;
  const start = i;
  let d = b[i] - 48;
  while (d >= 0 && d <= 9) {
    value = value * 10 + d;
    d = b[++i] - 48;
  }
  if (i === start || i - start > 5 || value > 65535) return -1;
  scannedPort = value;
  return i;
}

/**
 * `IP[ port N][ sshN]` at `i` (sshd.ts's matchAddressTail up to the end
 * check): the index after it, or -1; sets `tailIp` and `scannedPort`.
 */
function addressTail(i: number): number {
  const b = chunk;
  const view = chunkView;
  tailIp = ips.token(view, b, i);
  if (tokenEnd === i) return -1;
  i = tokenEnd;
  scannedPort = undefined;
  if (b[i] === 32 && atPort(view, i)) {
    i = scanPort(i + 6);
    if (i === -1) return -1;
  }
  if (b[i] === 32 && atSsh(view, i)) {
    i += 4;
    const d = b[i];
    if (d >= 48 && d <= 57) i++;
  }
  return i;
}

/** Emit one event with the header fields of the current line. */
function emit(
  kind: number,
  pattern: SshdPattern,
  ip: string,
  user: string | undefined,
  port: number | undefined,
  detail: string | undefined,
): void {
  const event = scanner.event;
  event.kind = kind;
  event.ip = ip;
  // every reader looks up the IP (and the user) it emits last in its interner
  event.ipId = ips.id;
  event.user = user;
  event.userId = user === undefined ? undefined : users.id;
  event.port = port;
  event.detail = detail;
  event.count = repeatCount;
  event.pattern = pattern;
  event.suspicious = undefined;
  scanner.sink.emit(event);
}

// ---------------------------------------------------------------------------
// Message readers: each emits or passes over the line and returns the start
// of the next line, or returns FALLBACK.

/**
 * `USER from IP[ port N][ sshN]` ending the message (or followed by `: KEY`
 * when `allowExtra`), with a user name without spaces: the case of
 * sshd.ts's findFromAddress that looks no further.
 */
function userFromAddress(
  userStart: number,
  kind: number,
  pattern: SshdPattern,
  detail: string | undefined,
  allowExtra: boolean,
): number {
  const b = chunk;
  const view = chunkView;
  const user = users.token(view, b, userStart);
  const userEnd = tokenEnd;
  if (b[userEnd] !== 32 || !atFrom(view, userEnd)) return FALLBACK;
  const i = addressTail(userEnd + 6);
  if (i === -1) return FALLBACK;
  let nl = messageEnd(i);
  if (nl === -1) {
    // `: KEY` after the address: taken when no other " from " follows
    if (!allowExtra || b[i] !== 58 || b[i + 1] !== 32 || repeatCount !== undefined) {
      return FALLBACK;
    }
    nl = restWithoutFrom(i + 2);
    if (nl === -1) return FALLBACK;
  }
  if (tailIp === "") return FALLBACK;
  emit(kind, pattern, tailIp, user, scannedPort, detail);
  return nl + 1;
}

/** The `\n` ending the line from `i` when the rest is clean ASCII without ` from `, else -1. */
function restWithoutFrom(i: number): number {
  const b = chunk;
  const view = chunkView;
  for (;;) {
    const c = b[i];
    if (c === 10) return i;
    if (c === 0 || c >= 128) return -1;
    if (c === 32 && atFrom(view, i)) return -1;
    i++;
  }
}

/** `Failed|Accepted METHOD for [invalid user ]USER from IP …`; `p` at METHOD. */
function authResult(p: number, failed: boolean): number {
  const b = chunk;
  const view = chunkView;
  let kind: number;
  let pattern: SshdPattern;
  let detail: string | undefined;
  let methodEnd: number;
  if (atPasswordFor(view, p)) {
    methodEnd = p + 8;
    kind = failed ? FAILED_PASSWORD : ACCEPTED_PASSWORD;
    pattern = failed ? "failedPassword" : "acceptedPassword";
  } else if (atPublickeyFor(view, p)) {
    methodEnd = p + 9;
    kind = failed ? FAILED_PUBLICKEY : ACCEPTED_PUBLICKEY;
    pattern = failed ? "failedPublickey" : "acceptedPublickey";
  } else {
    const method = details.token(view, b, p);
    methodEnd = tokenEnd;
    if (methodEnd === p || !atFor(view, methodEnd)) return FALLBACK;
    if (failed && atKeyboardInteractive(view, p)) {
      kind = FAILED_KEYBOARD_INTERACTIVE;
      pattern = "failedKeyboardInteractive";
    } else {
      kind = failed ? FAILED_OTHER : ACCEPTED_OTHER;
      pattern = failed ? "failedOther" : "acceptedOther";
      detail = method;
    }
  }
  let userStart = methodEnd + 5;
  if (
    b[userStart] === 105 /* i */ &&
    (atInvalidUser(view, userStart) || atIllegalUser(view, userStart))
  ) {
    userStart += 13;
    if (detail === undefined) detail = INVALID_USER_DETAIL;
    else {
      let combined = invalidMethodDetail.get(detail);
      if (combined === undefined) {
        combined = `${detail}, ${INVALID_USER_DETAIL}`;
        if (invalidMethodDetail.size > 256) invalidMethodDetail.clear();
        invalidMethodDetail.set(detail, combined);
      }
      detail = combined;
    }
  }
  return userFromAddress(userStart, kind, pattern, detail, true);
}

/**
 * `[invalid user |authenticating user ]USER IP[ port N]` ending the message,
 * after `Connection closed|reset by` or `Disconnected from`, and with
 * `: Too many authentication failures` after `Disconnecting`; `p` after the
 * verb. Without a user (`plainPattern`) the event needs ` [preauth]` and the
 * line is passed over without it.
 */
function userAddressPort(
  p: number,
  kind: number,
  userPattern: SshdPattern,
  plainPattern: SshdPattern | undefined,
  tooManyFailures: boolean,
): number {
  const b = chunk;
  const view = chunkView;
  let detail: string | undefined;
  let user: string | undefined;
  let ipStart = p;
  let userStart = -1;
  if (b[p] === 105 /* i */ && atInvalidUser(view, p)) {
    userStart = p + 13;
    detail = INVALID_USER_DETAIL;
  } else if (b[p] === 97 /* a */ && atAuthenticatingUser(view, p)) userStart = p + 20;
  if (userStart !== -1) {
    user = users.token(view, b, userStart);
    if (b[tokenEnd] !== 32) return FALLBACK;
    ipStart = tokenEnd + 1;
  } else if (plainPattern === undefined) return skipRest(p);
  const ip = ips.token(view, b, ipStart);
  let i = tokenEnd;
  if (i === ipStart) return FALLBACK;
  let port: number | undefined;
  if (b[i] === 32 && atPort(view, i)) {
    i = scanPort(i + 6);
    if (i === -1) return FALLBACK;
    port = scannedPort;
  }
  if (tooManyFailures) {
    if (!atTooManyFailures(view, i)) return FALLBACK;
    i += 34;
  }
  const nl = messageEnd(i);
  if (nl === -1) return FALLBACK;
  if (userStart === -1 && !preauthSeen && !authProgram) return skipped(nl); // a session that ended
  if (ip === "") return FALLBACK;
  if (userStart === -1) emit(kind, plainPattern!, ip, undefined, port, undefined);
  else emit(kind, userPattern, ip, user, port, detail);
  return nl + 1;
}

/** `pam_unix(sshd:auth): authentication failure; … rhost=IP[  user=USER]`; `m` at `pam_`. */
function pamMessage(m: number): number {
  const b = chunk;
  const view = chunkView;
  if (atPamAuthFailure(view, m)) {
    const ipStart = m + 88;
    const ip = ips.token(view, b, ipStart);
    const ipEnd = tokenEnd;
    if (ipEnd === ipStart) return FALLBACK;
    let user: string | undefined;
    let nl = messageEnd(ipEnd);
    if (nl === -1) {
      let userStart: number;
      if (atPamUser2(view, ipEnd)) userStart = ipEnd + 7;
      else if (atPamUser1(view, ipEnd)) userStart = ipEnd + 6;
      else return FALLBACK;
      user = users.token(view, b, userStart);
      nl = messageEnd(tokenEnd);
      if (nl === -1) return FALLBACK;
    }
    if (ip === "") return FALLBACK;
    emit(AUTH_FAILURE, "pamAuthFailure", ip, user, undefined, undefined);
    return nl + 1;
  }
  if (atPamCheckPass(view, m)) {
    const nl = messageEnd(m + 45);
    if (nl !== -1) return skipped(nl);
  }
  return FALLBACK;
}

/** `Received disconnect from IP port N:CODE: REASON`; `p` at IP. */
function receivedDisconnect(p: number, messageStart: number): number {
  const b = chunk;
  const view = chunkView;
  const ip = ips.token(view, b, p);
  const ipEnd = tokenEnd;
  // (an address ending in ":" would be cut at the ": " by sshd.ts: the string path)
  if (ipEnd === p || b[ipEnd - 1] === 58 || !atPort(view, ipEnd)) return FALLBACK;
  let i = scanPort(ipEnd + 6);
  if (i === -1 || b[i] !== 58 /* : */) return FALLBACK;
  const port = scannedPort;
  i++;
  while (b[i] === 32) i++;
  const codeStart = i;
  let code = 0;
  let d = b[i] - 48;
  while (d >= 0 && d <= 9) {
    code = code * 10 + d;
    d = b[++i] - 48;
  }
  if (i === codeStart || i - codeStart > 9 || b[i] !== 58) return FALLBACK;
  if (code !== 3 && code !== 14) return skipRest(i); // 11: Bye Bye, disconnected by user, …
  const nl = messageBounds(i, messageStart);
  if (nl === -1) return FALLBACK;
  const end = boundEnd;
  let pattern: SshdPattern;
  if (code === 3) {
    if (end - 11 < i || !atAuthFail(view, end - 11)) return skipped(nl);
    pattern = "receivedDisconnectAuthFail";
  } else {
    let reason = i + 1;
    while (b[reason] === 32) reason++;
    if (!atNoSupportedMethods(view, reason) && !atNoMethods(view, reason)) return skipped(nl);
    pattern = "receivedDisconnectNoAuthMethods";
  }
  if (ip === "") return FALLBACK;
  const detail = details.get(view, b, codeStart, end, hashRange(view, b, codeStart, end));
  emit(DISCONNECTED_PREAUTH, pattern, ip, undefined, port, detail);
  return nl + 1;
}

/** `message repeated N times: [ MESSAGE]`; `p` after `repeated `. */
function repeatedMessage(p: number, messageStart: number): number {
  if (repeatCount !== undefined) return skipRest(p); // not nested
  const b = chunk;
  let times = 0;
  let i = p;
  let d = b[i] - 48;
  while (d >= 0 && d <= 9) {
    times = times * 10 + d;
    d = b[++i] - 48;
  }
  if (i === p || i - p > 9 || !atTimes(chunkView, i)) return skipRest(p);
  i += 9;
  if (b[i] === 32) i++;
  repeatCount = times;
  const next = message(i, messageStart);
  repeatCount = undefined;
  return next;
}

/** `maximum authentication attempts exceeded for [invalid user ]USER from IP port N ssh2`. */
function maximumAttempts(p: number): number {
  let detail: string | undefined;
  if (chunk[p] === 105 /* i */ && atInvalidUser(chunkView, p)) {
    p += 13;
    detail = INVALID_USER_DETAIL;
  }
  return userFromAddress(p, MAX_AUTH_ATTEMPTS, "maxAuthAttempts", detail, false);
}

/**
 * `Did not receive identification string from IP[ port N]` and `Timeout
 * before authentication for IP port N`: an address ending the message.
 */
function addressOnly(
  p: number,
  kind: number,
  pattern: SshdPattern,
  detail: string | undefined,
): number {
  const i = addressTail(p);
  if (i === -1) return FALLBACK;
  const nl = messageEnd(i);
  if (nl === -1 || tailIp === "") return FALLBACK;
  emit(kind, pattern, tailIp, undefined, scannedPort, detail);
  return nl + 1;
}

/** `Bad protocol version identification 'TEXT' from IP[ port N]`; `p` at `'TEXT'`. */
function badProtocol(p: number, messageStart: number): number {
  const b = chunk;
  const view = chunkView;
  const nl = messageBounds(p, messageStart);
  if (nl === -1) return FALLBACK;
  const end = boundEnd;
  // the last " from " (the text is the client's, and may hold one)
  let from = end - 6;
  while (from >= p && !(b[from] === 32 && atFrom(view, from))) from--;
  if (from < p) return skipped(nl);
  const i = addressTail(from + 6);
  if (i !== end || tailIp === "") return FALLBACK;
  let detail: string | undefined;
  if (b[p] === 39 && b[from - 1] === 39 && from - 1 > p) {
    detail = details.get(view, b, p + 1, from - 1, hashRange(view, b, p + 1, from - 1));
  }
  emit(BAD_PROTOCOL, "badProtocolVersion", tailIp, undefined, scannedPort, detail);
  return nl + 1;
}

/**
 * `Unable to negotiate with IP port N: REASON. Their offer: …` and `banner
 * exchange: Connection from IP port N: REASON`; `p` at IP.
 */
function addressColonReason(p: number, messageStart: number, negotiation: boolean): number {
  const b = chunk;
  const view = chunkView;
  const ip = ips.token(view, b, p);
  const ipEnd = tokenEnd;
  // (an address ending in ":" would be cut at the ": " by sshd.ts: the string path)
  if (ipEnd === p || b[ipEnd - 1] === 58 || !atPort(view, ipEnd)) return FALLBACK;
  const colon = scanPort(ipEnd + 6);
  if (colon === -1 || b[colon] !== 58 /* : */) return FALLBACK;
  const port = scannedPort;
  const nl = messageBounds(colon, messageStart);
  if (nl === -1 || colon >= boundEnd || ip === "") return FALLBACK;
  const end = boundEnd;
  let reasonStart = colon + 1;
  if (b[reasonStart] === 32) reasonStart++;
  let reasonEnd = end;
  if (negotiation) {
    for (let k = reasonStart; k + 14 <= nl; k++) {
      if (b[k] === 46 && atTheirOffer(view, k)) {
        if (k <= end) reasonEnd = k;
        break;
      }
    }
  }
  let detail: string | undefined;
  if (reasonEnd > reasonStart) {
    detail = details.get(
      view,
      b,
      reasonStart,
      reasonEnd,
      hashRange(view, b, reasonStart, reasonEnd),
    );
  }
  if (negotiation) emit(UNABLE_TO_NEGOTIATE, "unableToNegotiate", ip, undefined, port, detail);
  else emit(NO_IDENTIFICATION, "bannerExchange", ip, undefined, port, detail);
  return nl + 1;
}

/** `reverse mapping checking getaddrinfo for HOST [IP] failed - POSSIBLE BREAK-IN ATTEMPT!`. */
function reverseMapping(p: number, messageStart: number): number {
  const b = chunk;
  const view = chunkView;
  const nl = messageBounds(p, messageStart);
  if (nl === -1) return FALLBACK;
  // the last "] failed" that starts by the end, and the last " [" before it
  let close = Math.min(boundEnd, nl - 8);
  while (close >= p && !(b[close] === 93 && atBracketFailed(view, close))) close--;
  if (close < p) return skipped(nl);
  let open = close - 1;
  while (open >= p && !(b[open] === 32 && b[open + 1] === 91)) open--;
  if (open < p) return skipped(nl);
  const ip = ips.get(view, b, open + 2, close, hashRange(view, b, open + 2, close));
  if (ip === "") return FALLBACK;
  const host = details.get(view, b, p, open, hashRange(view, b, p, open));
  emit(REVERSE_MAPPING, "reverseMappingFailed", ip, undefined, undefined, host);
  return nl + 1;
}

/**
 * Read the message at `m` (sshd.ts's dispatch, on bytes): emit or pass over
 * the line, and return the start of the next line, or FALLBACK. (`m + 7`
 * after `atFailed` and the like: the length of the text matched.)
 */
function message(m: number, messageStart: number): number {
  const view = chunkView;
  for (;;) {
    switch (chunk[m]) {
      case 70: // F
        if (atFailed(view, m)) return authResult(m + 7, true);
        return skipRest(m);
      case 73: // I
        if (atInvalidUserCap(view, m) || atIllegalUserCap(view, m)) {
          return userFromAddress(m + 13, INVALID_USER, "invalidUser", undefined, false);
        }
        return skipRest(m);
      case 65: // A
        if (atAccepted(view, m)) return authResult(m + 9, false);
        if (atAddress(view, m) || atAuthenticationCap(view, m)) return FALLBACK;
        return skipRest(m);
      case 97: // a
        if (atAuthentication(view, m)) return FALLBACK;
        return skipRest(m);
      case 67: // C
        if (atConnectionClosedBy(view, m)) {
          return userAddressPort(m + 21, CLOSED_PREAUTH, "closedByUser", "closedPreauth", false);
        }
        if (atConnectionResetBy(view, m)) {
          return userAddressPort(m + 20, CLOSED_PREAUTH, "closedByUser", "closedPreauth", false);
        }
        return skipRest(m);
      case 68: // D
        if (atDisconnectedFrom(view, m)) {
          const p = m + 18;
          if (chunk[p] === 117 /* u */ && atUser(view, p)) return skipRest(p); // the end of a session
          return userAddressPort(
            p,
            DISCONNECTED_PREAUTH,
            "disconnectedUser",
            "disconnectedPreauth",
            false,
          );
        }
        if (atDisconnecting(view, m)) {
          return userAddressPort(m + 14, MAX_AUTH_ATTEMPTS, "tooManyAuthFailures", undefined, true);
        }
        if (atDidNotReceive(view, m)) {
          return addressOnly(m + 43, NO_IDENTIFICATION, "noIdentification", undefined);
        }
        return skipRest(m);
      case 85: // U
        if (atUnableToNegotiate(view, m)) return addressColonReason(m + 25, messageStart, true);
        if (atUserCap(view, m)) return FALLBACK;
        return skipRest(m);
      case 66: // B
        if (atBadProtocol(view, m)) return badProtocol(m + 36, messageStart);
        return skipRest(m);
      case 82: // R
        if (atReceivedDisconnect(view, m)) return receivedDisconnect(m + 25, messageStart);
        if (atRootLoginRefused(view, m)) return FALLBACK;
        return skipRest(m);
      case 98: // b
        if (atBannerExchange(view, m)) return addressColonReason(m + 33, messageStart, false);
        return skipRest(m);
      case 114: // r
        if (atReverseMapping(view, m)) return reverseMapping(m + 41, messageStart);
        if (atRefusedConnect(view, m)) return FALLBACK;
        return skipRest(m);
      case 112: // p
        if (atPamUnderscore(view, m)) return pamMessage(m);
        return skipRest(m);
      case 109: // m
        if (atMaximumAttempts(view, m)) return maximumAttempts(m + 45);
        if (atMessageRepeated(view, m)) return repeatedMessage(m + 17, messageStart);
        return skipRest(m);
      case 84: // T
        if (atTimeoutBeforeAuth(view, m)) {
          if (atConnectionFrom(view, m + 34)) return FALLBACK; // the old form
          return addressOnly(m + 34, CLOSED_PREAUTH, "timeoutBeforeAuth", TIMEOUT_DETAIL);
        }
        return skipRest(m);
      case 78: // N
        if (atNastyPtr(view, m)) return FALLBACK;
        return skipRest(m);
      case 100: // d
        if (atDropCon(view, m)) return FALLBACK; // rare: the string path
        return skipRest(m);
      // prefixes: strip and look again
      case 101: // e
        if (!atError(view, m)) return skipRest(m);
        m += 7;
        continue;
      case 102: // f
        if (!atFatal(view, m)) return skipRest(m);
        m += 7;
        continue;
      case 80: // P
        if (!atPamColon(view, m)) return skipRest(m);
        m += 5;
        continue;
      case 91: // [
        if (atSolarisId(view, m)) return FALLBACK;
        return skipRest(m);
      default:
        return skipRest(m);
    }
  }
}

/** Two ASCII digits at `i`, or -1. */
function twoDigitsAt(b: Uint8Array, i: number): number {
  const x = b[i] - 48, y = b[i + 1] - 48;
  if (x < 0 || x > 9 || y < 0 || y > 9) return -1;
  return x * 10 + y;
}

/**
 * Reads chunks of whole syslog lines (as {@linkcode readChunks} hands them
 * out) and reports to `sink` exactly what {@linkcode createSyslogParser}
 * would for each line. During a `sink` call, `line` is the current line and,
 * for a line that went the string path (the only ones that can be bad),
 * `text` is its decoded text.
 *
 * @example
 * ```ts
 * import { readChunks } from "./read.ts";
 * import { SyslogScanner } from "./syslog_fast.ts";
 * const scanner = new SyslogScanner({
 *   emit: (e) => console.log(scanner.line, e.ip, e.user),
 *   bad: (reason) => console.error(scanner.line, reason, scanner.text),
 * });
 * await readChunks("data/sample/auth.log", (bytes, start, end, firstLine, result) =>
 *   scanner.scan(bytes, start, end, firstLine, result)
 * );
 * ```
 */
export class SyslogScanner {
  /** 1-based number of the line being read. */
  line = 0;
  /** Decoded text of the line being read when it went the string path, else "". */
  text = "";
  readonly sink: LineSink;
  /** The scratch event handed to `sink.emit` (reused). */
  readonly event: ParsedEvent = sshdScratchEvent(TimeKind.SyslogWall);
  readonly #parser: LogParser = createSyslogParser();
  // the minute of the last stamp: its first 12 bytes ("Jan 28 07:01") as words, and its time
  #minute0 = 0;
  #minute1 = 0;
  #minute2 = 0;
  #minuteStart = NaN;
  // the day of the last stamp: "Mmm dd " as two (overlapping) words, and its time
  #day0 = 0;
  #day1 = 0;
  #dayStart = NaN;
  // the last host name and the space after it, as words (the last one overlapping)
  #hostWords = new Int32Array(0);
  #hostSpaced = 0;
  #host = "";

  constructor(sink: LineSink) {
    this.sink = sink;
  }

  /**
   * Read the lines in `bytes[start, end)` (each ending in `\n`), the first
   * being line `firstLine`; decoding damage is recorded on `result`. Returns
   * the number of lines.
   */
  scan(
    bytes: Uint8Array,
    start: number,
    end: number,
    firstLine: number,
    result: ReadResult,
  ): number {
    ({ bytes, start, end } = scannableChunk(bytes, start, end));
    chunk = bytes;
    chunkView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    base = bytes.byteOffset;
    chunkWords = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);
    scanner = this;
    repeatCount = undefined;
    let lineNo = firstLine;
    let pos = start;
    while (pos < end) {
      this.line = lineNo;
      let next = this.#readLine(pos);
      if (next === FALLBACK) next = this.#stringPath(pos, result);
      pos = next;
      lineNo++;
    }
    chunk = new Uint8Array(0); // let the chunk go
    chunkView = new DataView(chunk.buffer);
    chunkWords = new Int32Array(0);
    return lineNo - firstLine;
  }

  /** Decode the line at `start` and hand it to the string parser; returns the next line's start. */
  #stringPath(start: number, result: ReadResult): number {
    repeatCount = undefined;
    const nl = chunk.indexOf(10, start);
    const text = decodeLine(chunk, start, nl, this.line, result);
    this.text = text;
    try {
      this.#parser.parseLine(text, this.sink);
    } catch (error) {
      // a parser must not throw; if one does, the line is reported, not the run
      this.sink.bad(`parser error: ${(error as Error).message}`);
    }
    this.text = "";
    return nl + 1;
  }

  /** Read the line at `pos` on the fast path: the next line's start, or FALLBACK. */
  #readLine(pos: number): number {
    const b = chunk;
    const view = chunkView;
    // time stamp "Mmm dd hh:mm:ss "
    let time: number;
    if (
      view.getInt32(pos, true) === this.#minute0 &&
      view.getInt32(pos + 4, true) === this.#minute1 &&
      view.getInt32(pos + 8, true) === this.#minute2
    ) {
      const s1 = b[pos + 13] - 48, s2 = b[pos + 14] - 48;
      if (b[pos + 12] !== 58 || s1 < 0 || s1 > 6 || s2 < 0 || s2 > 9 || b[pos + 15] !== 32) {
        return FALLBACK;
      }
      const second = s1 * 10 + s2;
      if (second > 60) return FALLBACK;
      time = this.#minuteStart + second * 1000; // NaN until a minute is cached
    } else time = this.#newMinute(pos);
    if (time !== time) return FALLBACK;
    // host: the cached one, or a new one
    let tag = pos + 16;
    const hostWords = this.#hostWords;
    const spaced = this.#hostSpaced;
    let k = 0;
    for (; k < hostWords.length; k++) {
      if (view.getInt32(tag + Math.min(k << 2, spaced - 4), true) !== hostWords[k]) break;
    }
    if (k === hostWords.length && spaced >= 4) tag += spaced;
    else {
      tag = this.#newHost(tag);
      if (tag === FALLBACK) return FALLBACK;
    }
    // tag: sshd[pid]: , sshd-session[pid]: , sshd-auth[pid]:
    let program: "sshd" | "sshd-session" | "sshd-auth";
    let i: number;
    authProgram = false;
    if (atSshd(view, tag) && b[tag + 4] === 91 /* [ */) {
      program = "sshd";
      i = tag + 5;
    } else if (atSshdSession(view, tag)) {
      program = "sshd-session";
      i = tag + 13;
    } else if (atSshdAuth(view, tag)) {
      program = "sshd-auth";
      i = tag + 10;
      authProgram = true;
    } else return this.#otherProgram(tag);
    let pid = 0;
    const pidStart = i;
    let d = b[i] - 48;
    while (d >= 0 && d <= 9) {
      pid = pid * 10 + d;
      d = b[++i] - 48;
    }
    if (i === pidStart || i - pidStart > 10 || b[i] !== 93 || b[i + 1] !== 58 || b[i + 2] !== 32) {
      return FALLBACK;
    }
    const event = this.event;
    event.time = time;
    event.timeKind = TimeKind.SyslogWall;
    event.host = this.#host;
    event.program = program;
    event.pid = pid;
    return message(i + 3, i + 3);
  }

  /** Parse a stamp whose minute is not the cached one, and cache it: provisional time, or NaN. */
  #newMinute(pos: number): number {
    const b = chunk;
    const view = chunkView;
    const hour = twoDigitsAt(b, pos + 7), minute = twoDigitsAt(b, pos + 10);
    const second = twoDigitsAt(b, pos + 13);
    if (
      hour < 0 || hour > 23 || b[pos + 9] !== 58 || minute < 0 || minute > 59 ||
      b[pos + 12] !== 58 || second < 0 || second > 60 || b[pos + 15] !== 32
    ) return NaN;
    // the day "Mmm dd" and the space after it, as two overlapping words
    const day0 = view.getInt32(pos, true);
    const day1 = view.getInt32(pos + 3, true);
    if (day0 !== this.#day0 || day1 !== this.#day1) {
      const month = monthOf(b, pos);
      if (month < 0 || b[pos + 3] !== 32) return NaN;
      let day: number;
      const d1 = b[pos + 4], d2 = b[pos + 5] - 48;
      if (d2 < 0 || d2 > 9) return NaN;
      if (d1 === 32) day = d2;
      else if (d1 >= 48 && d1 <= 57) day = (d1 - 48) * 10 + d2;
      else return NaN;
      if (day < 1 || day > 31 || b[pos + 6] !== 32) return NaN;
      this.#day0 = day0;
      this.#day1 = day1;
      this.#dayStart = Date.UTC(PROVISIONAL_YEAR, month, day);
    }
    this.#minute0 = day0;
    this.#minute1 = view.getInt32(pos + 4, true);
    this.#minute2 = view.getInt32(pos + 8, true);
    // = Date.UTC(PROVISIONAL_YEAR, month, day, hour, minute): the day, then the time of day
    this.#minuteStart = this.#dayStart + hour * 3_600_000 + minute * 60_000;
    return this.#minuteStart + second * 1000;
  }

  /** Read a host name other than the cached one at `i`: the tag's start, or FALLBACK. */
  #newHost(i: number): number {
    const b = chunk;
    const view = chunkView;
    const end = scanToken(view, b, i);
    // "Nov 23 21:50:19 sshd[8148]: …" (no host) and odd bytes take the string path
    if (end === i || b[end] !== 32 || b[end - 1] === 58 /* : */) return FALLBACK;
    this.#host = asciiDecoder.decode(b.subarray(i, end));
    // a host name of one or two characters is not cached: it is read again on each line
    const spaced = end + 1 - i;
    const words = new Int32Array(spaced >= 4 ? (spaced + 3) >> 2 : 0);
    for (let k = 0; k < words.length; k++) {
      words[k] = view.getInt32(i + Math.min(k << 2, spaced - 4), true);
    }
    this.#hostWords = words;
    this.#hostSpaced = spaced;
    return end + 1;
  }

  /**
   * A tag that is not `sshd[`, `sshd-session[` or `sshd-auth[`: passed over
   * when it is certainly another program (as syslog.ts's readTag decides),
   * else FALLBACK.
   */
  #otherProgram(tag: number): number {
    const b = chunk;
    const first = b[tag];
    if (first !== 115 /* s */ && first !== 47 /* / */) return skipRest(tag);
    let i = tag;
    const limit = tag + 128;
    for (; i < limit; i++) {
      const c = b[i];
      if (c === 58 /* : */ || c === 91 /* [ */) break;
      if (c === 32) return skipRest(i);
      if (c < 32 || c >= 127) return FALLBACK;
    }
    if (i === limit) return FALLBACK;
    // sshd under another name (/usr/sbin/sshd, sshd-auth without a pid, …) takes the string path
    for (let k = tag; k + 4 <= i; k++) {
      if (b[k] === 115 && b[k + 1] === 115 && b[k + 2] === 104 && b[k + 3] === 100) return FALLBACK;
    }
    return skipRest(i);
  }
}
