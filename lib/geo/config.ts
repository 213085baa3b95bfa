/**
 * Choosing geo providers and their credentials.
 *
 * Credentials come from the environment or a config file, never from the
 * command line (it shows in `ps` and shell history) and never from the repo:
 *
 * | what | environment | config file key |
 * | --- | --- | --- |
 * | MaxMind account ID | `MAXMIND_ACCOUNT_ID` (or `GEOIPUPDATE_ACCOUNT_ID`) | `maxmind.accountId` |
 * | MaxMind license key | `MAXMIND_LICENSE_KEY` (or `GEOIPUPDATE_LICENSE_KEY`) | `maxmind.licenseKey` |
 * | ipinfo.io token | `IPINFO_TOKEN` | `ipinfo.token` |
 *
 * The config file is `$JAILBOOK_CONFIG`, else `$XDG_CONFIG_HOME/jailbook/config.json`, else
 * `~/.config/jailbook/config.json` (JSON; keep it `chmod 600`). Service base
 * URLs can be changed (`JAILBOOK_MAXMIND_URL`, `JAILBOOK_IPINFO_URL`,
 * `JAILBOOK_RDAP_URL`, or `maxmind.baseUrl` …), which is how tests point them at
 * local mock servers.
 *
 * @module
 */
import { join } from "node:path";
import type { GeoProvider } from "./types.ts";
import { openDbip } from "./dbip.ts";
import { openAsnCsv } from "./asn_csv.ts";
import { findMaxmindDatabases, openMaxmindDatabases } from "./maxmind_db.ts";
import { createMaxmindWebProvider } from "./maxmind_web.ts";
import { createIpinfoProvider } from "./ipinfo.ts";
import { createRdapProvider } from "./rdap.ts";

/** Every provider name `--provider` accepts. */
export const PROVIDER_NAMES = [
  "dbip",
  "asn",
  "maxmind-db",
  "maxmind-country",
  "maxmind-city",
  "maxmind-insights",
  "ipinfo",
  "rdap",
] as const;

/** A provider name. */
export type ProviderName = typeof PROVIDER_NAMES[number];

/** Settings read from the environment and the config file. */
export interface GeoSettings {
  maxmind: { accountId?: string; licenseKey?: string; baseUrl?: string };
  ipinfo: { token?: string; baseUrl?: string };
  rdap: { baseUrl?: string };
  /** MaxMind database files given by the user. */
  maxmindDatabases: string[];
  /** Default provider list from the config file. */
  providers?: ProviderName[];
  /** Where the settings came from, for messages (never the values). */
  origin: string[];
}

/** A wrong setting or an unusable provider choice. */
export class GeoConfigError extends Error {
  override name = "GeoConfigError";
}

function configPath(env: Record<string, string | undefined>): string | undefined {
  if (env.JAILBOOK_CONFIG) return env.JAILBOOK_CONFIG;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, "jailbook", "config.json");
  if (env.HOME) return join(env.HOME, ".config", "jailbook", "config.json");
  return undefined;
}

/** Read settings from `env` (default: the process environment) and the config file. */
export function readGeoSettings(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): GeoSettings {
  const settings: GeoSettings = {
    maxmind: {},
    ipinfo: {},
    rdap: {},
    maxmindDatabases: [],
    origin: [],
  };
  const path = configPath(env);
  if (path) {
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (env.JAILBOOK_CONFIG && !(error instanceof Deno.errors.NotFound)) {
        throw new GeoConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
      }
      if (env.JAILBOOK_CONFIG) {
        throw new GeoConfigError(`Config file ${path} (JAILBOOK_CONFIG) does not exist`);
      }
    }
    if (text !== undefined) {
      let file: Record<string, unknown>;
      try {
        file = JSON.parse(text);
      } catch (error) {
        throw new GeoConfigError(
          `Config file ${path} is not valid JSON: ${(error as Error).message}`,
        );
      }
      const section = (name: string) =>
        (typeof file[name] === "object" && file[name] !== null ? file[name] : {}) as Record<
          string,
          unknown
        >;
      const str = (
        v: unknown,
      ) => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);
      const mm = section("maxmind"), ii = section("ipinfo"), rd = section("rdap");
      settings.maxmind = {
        accountId: str(mm.accountId),
        licenseKey: str(mm.licenseKey),
        baseUrl: str(mm.baseUrl),
      };
      settings.ipinfo = { token: str(ii.token), baseUrl: str(ii.baseUrl) };
      settings.rdap = { baseUrl: str(rd.baseUrl) };
      if (Array.isArray(file.maxmindDatabases)) {
        settings.maxmindDatabases = file.maxmindDatabases.map(String);
      }
      if (Array.isArray(file.providers)) {
        settings.providers = parseProviderList(file.providers.join(","));
      }
      settings.origin.push(`config file ${path}`);
    }
  }
  const pick = (...names: string[]) =>
    names.map((n) => env[n]).find((v) => v !== undefined && v !== "");
  const accountId = pick("MAXMIND_ACCOUNT_ID", "GEOIPUPDATE_ACCOUNT_ID");
  const licenseKey = pick("MAXMIND_LICENSE_KEY", "GEOIPUPDATE_LICENSE_KEY");
  const token = pick("IPINFO_TOKEN");
  if (accountId) settings.maxmind.accountId = accountId;
  if (licenseKey) settings.maxmind.licenseKey = licenseKey;
  if (token) settings.ipinfo.token = token;
  if (env.JAILBOOK_MAXMIND_URL) settings.maxmind.baseUrl = env.JAILBOOK_MAXMIND_URL;
  if (env.JAILBOOK_IPINFO_URL) settings.ipinfo.baseUrl = env.JAILBOOK_IPINFO_URL;
  if (env.JAILBOOK_RDAP_URL) settings.rdap.baseUrl = env.JAILBOOK_RDAP_URL;
  if (accountId || licenseKey || token) settings.origin.push("environment");
  return settings;
}

/** The secret values in `settings` (to redact from anything printed). */
export function secretsOf(settings: GeoSettings): string[] {
  return [settings.maxmind.licenseKey, settings.ipinfo.token].filter((s): s is string =>
    !!s && s.length >= 4
  );
}

/** Replace every secret in `text` with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

/** Parse `dbip,asn,…`, rejecting unknown names (TypeError naming the option). */
export function parseProviderList(text: string): ProviderName[] {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
      throw new GeoConfigError(
        `--provider: unknown provider "${name}"; choose from ${PROVIDER_NAMES.join(", ")}`,
      );
    }
  }
  if (names.length === 0) throw new GeoConfigError("--provider: give at least one provider");
  return names as ProviderName[];
}

/**
 * The default providers: the user's MaxMind databases when any are given or
 * found in /usr/share/GeoIP or /var/lib/GeoIP, then DB-IP Lite and the ASN
 * table (offline, no key, no network).
 */
export function defaultProviders(settings: GeoSettings, searchDirs?: string[]): ProviderName[] {
  if (settings.providers) return settings.providers;
  const found = settings.maxmindDatabases.length > 0 || findMaxmindDatabases(searchDirs).length > 0;
  return found ? ["maxmind-db", "dbip", "asn"] : ["dbip", "asn"];
}

/** Open the named providers. Closes what it opened if one fails. */
export function openProviders(
  names: readonly ProviderName[],
  settings: GeoSettings,
  options: { ipv6?: boolean; searchDirs?: string[] } = {},
): GeoProvider[] {
  const opened: GeoProvider[] = [];
  try {
    for (const name of names) {
      switch (name) {
        case "dbip":
          opened.push(openDbip());
          break;
        case "asn":
          opened.push(openAsnCsv());
          break;
        case "maxmind-db": {
          const paths = settings.maxmindDatabases.length > 0
            ? settings.maxmindDatabases
            : findMaxmindDatabases(options.searchDirs).map((d) => d.path);
          if (paths.length === 0) {
            throw new GeoConfigError(
              "maxmind-db: no MaxMind databases found in /usr/share/GeoIP or /var/lib/GeoIP; give them with --mmdb PATH",
            );
          }
          opened.push(openMaxmindDatabases(paths));
          break;
        }
        case "maxmind-country":
        case "maxmind-city":
        case "maxmind-insights": {
          const { accountId, licenseKey, baseUrl } = settings.maxmind;
          if (!accountId || !licenseKey) {
            throw new GeoConfigError(
              `${name} needs a MaxMind account ID and license key: set MAXMIND_ACCOUNT_ID and MAXMIND_LICENSE_KEY ` +
                `(or maxmind.accountId / maxmind.licenseKey in ~/.config/jailbook/config.json)`,
            );
          }
          const service = name.slice("maxmind-".length) as "country" | "city" | "insights";
          opened.push(
            createMaxmindWebProvider({
              service,
              accountId,
              licenseKey,
              ...(baseUrl ? { baseUrl } : {}),
            }),
          );
          break;
        }
        case "ipinfo":
          opened.push(createIpinfoProvider({
            ...(settings.ipinfo.token ? { token: settings.ipinfo.token } : {}),
            ...(settings.ipinfo.baseUrl ? { baseUrl: settings.ipinfo.baseUrl } : {}),
          }));
          break;
        case "rdap":
          opened.push(
            createRdapProvider(settings.rdap.baseUrl ? { baseUrl: settings.rdap.baseUrl } : {}),
          );
          break;
      }
    }
    return opened;
  } catch (error) {
    for (const p of opened) if (p.kind === "offline") p.close();
    throw error;
  }
}
