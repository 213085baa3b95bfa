/**
 * The catalogue of event sources and kinds. Every parser emits kinds from this
 * list only; the columnar store keeps the kind as a small integer index into
 * {@linkcode KINDS}, so this list is append-only (indices are stable within a
 * run, names are the contract).
 *
 * @module
 */

/** Where an event came from. */
export const SOURCES = [
  "fail2ban",
  "sshd",
  "http-access",
  "http-error",
  "fail2ban-status",
  "fail2ban-blacklist",
  "fail2ban-db",
] as const;

/** One of {@linkcode SOURCES}. */
export type Source = typeof SOURCES[number];

/** Static facts about one event kind. */
export interface KindInfo {
  /** Stable name written to `kind` in JSON Lines and frames. */
  readonly name: string;
  /** The source whose parser emits it. */
  readonly source: Source;
  /**
   * Default for `suspicious`: a failed or hostile access attempt. Parsers of
   * web logs may override it per event (e.g. a 404 on `/wp-login.php`).
   */
  readonly suspicious: boolean;
  /** One line for people: what the kind means. */
  readonly description: string;
}

const k = (
  name: string,
  source: Source,
  suspicious: boolean,
  description: string,
): KindInfo => ({ name, source, suspicious, description });

/** Every event kind, in index order. */
export const KINDS: readonly KindInfo[] = [
  // fail2ban.log
  k("found", "fail2ban", true, "fail2ban filter matched a failure (Found)"),
  k("ban", "fail2ban", true, "fail2ban banned the IP"),
  k("unban", "fail2ban", false, "fail2ban lifted a ban"),
  k("restore_ban", "fail2ban", true, "fail2ban restored a ban after restart"),
  k("increase_ban", "fail2ban", true, "fail2ban increased the ban time of a repeat offender"),
  k("already_banned", "fail2ban", true, "fail2ban saw an IP that is already banned"),
  k("ignore", "fail2ban", false, "fail2ban ignored a match (ignoreip / ignorecommand)"),
  // sshd (auth.log, secure, journald)
  k("failed_password", "sshd", true, "Failed password"),
  k("failed_publickey", "sshd", true, "Failed publickey"),
  k("failed_keyboard_interactive", "sshd", true, "Failed keyboard-interactive/pam"),
  k(
    "failed_other",
    "sshd",
    true,
    "Failed authentication with another method (none, hostbased, gssapi)",
  ),
  k("invalid_user", "sshd", true, "Invalid user / illegal user"),
  k("auth_failure", "sshd", true, "PAM authentication failure with rhost="),
  k(
    "closed_preauth",
    "sshd",
    true,
    "Connection closed/reset by (invalid|authenticating) user before auth",
  ),
  k(
    "disconnected_preauth",
    "sshd",
    true,
    "Disconnected from (invalid|authenticating) user before auth",
  ),
  k("max_auth_attempts", "sshd", true, "maximum authentication attempts exceeded"),
  k(
    "no_identification",
    "sshd",
    true,
    "Did not receive identification string / banner exchange failed",
  ),
  k("unable_to_negotiate", "sshd", true, "Unable to negotiate a key exchange / cipher / host key"),
  k("bad_protocol", "sshd", true, "Bad protocol version identification"),
  k("root_login_refused", "sshd", true, "ROOT LOGIN REFUSED"),
  k("not_allowed", "sshd", true, "User not allowed because … (AllowUsers, DenyUsers, shell, …)"),
  k("reverse_mapping", "sshd", true, "reverse mapping failed: POSSIBLE BREAK-IN ATTEMPT"),
  k("accepted_password", "sshd", false, "Accepted password (successful login)"),
  k("accepted_publickey", "sshd", false, "Accepted publickey (successful login)"),
  k(
    "accepted_other",
    "sshd",
    false,
    "Accepted with another method (keyboard-interactive, gssapi, hostbased)",
  ),
  // web servers
  k("http_request", "http-access", false, "HTTP request from an access log"),
  k("http_auth_failure", "http-error", true, "HTTP basic/digest authentication failure"),
  k(
    "http_client_denied",
    "http-error",
    true,
    "Client denied by server configuration / access forbidden by rule",
  ),
  k("http_not_found", "http-error", true, "Script or file not found (probe for a missing path)"),
  k(
    "http_limit_req",
    "http-error",
    true,
    "Request rate or connection limit exceeded (nginx limit_req/limit_conn)",
  ),
  k(
    "http_bad_request",
    "http-error",
    true,
    "Invalid request, URI or method rejected by the server",
  ),
  // fail2ban side channels
  k("banned", "fail2ban-status", true, "IP listed as currently banned by fail2ban-client status"),
  k("blacklisted", "fail2ban-blacklist", true, "Ban recorded by the fail2ban-blacklist CSV"),
  k("db_ban", "fail2ban-db", true, "Ban recorded in the fail2ban SQLite database"),
  // appended later (indices are stable)
  k(
    "dropped_connection",
    "sshd",
    true,
    "sshd dropped the connection: a PerSourcePenalties penalty (suspicious) or MaxStartups throttling",
  ),
];

/** Kind name → index into {@linkcode KINDS}. */
export const KIND_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  KINDS.map((kind, i) => [kind.name, i]),
);

/** Source name → index into {@linkcode SOURCES}. */
export const SOURCE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  SOURCES.map((source, i) => [source, i]),
);

/**
 * Index of a kind by name.
 *
 * @example
 * ```ts
 * import { kindIndex, KINDS } from "./kinds.ts";
 * KINDS[kindIndex("ban")].suspicious; // true
 * ```
 */
export function kindIndex(name: string): number {
  const i = KIND_INDEX[name];
  if (i === undefined) throw new TypeError(`Unknown event kind "${name}"`);
  return i;
}
