import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertIncludes, assertOk, assertRejects } from "./_assert.ts";
import {
  Fail2banDbError,
  fail2banDbEvents,
  type Fail2banDbRow,
  openFail2banDb,
} from "../lib/logs/fail2ban_db.ts";
import { KINDS } from "../lib/logs/kinds.ts";
import { TimeKind } from "../lib/logs/types.ts";

/** The schema fail2ban 0.10+ creates. */
const SCHEMA_0_10 = `
CREATE TABLE fail2banDb(version INTEGER);
CREATE TABLE jails(name TEXT NOT NULL UNIQUE, enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE logs(jail TEXT NOT NULL, path TEXT, firstlinemd5 TEXT, lastfilepos INTEGER DEFAULT 0,
  FOREIGN KEY(jail) REFERENCES jails(name) ON DELETE CASCADE, UNIQUE(jail, path), UNIQUE(jail, path, firstlinemd5));
CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL, bantime INTEGER NOT NULL,
  bancount INTEGER NOT NULL default 1, data JSON, FOREIGN KEY(jail) REFERENCES jails(name));
CREATE INDEX bans_jail_timeofban_ip ON bans(jail, timeofban);
CREATE TABLE bips(ip TEXT NOT NULL, jail TEXT NOT NULL, timeofban INTEGER NOT NULL, bantime INTEGER NOT NULL,
  bancount INTEGER NOT NULL default 1, data JSON, PRIMARY KEY(ip, jail),
  FOREIGN KEY(jail) REFERENCES jails(name));
INSERT INTO fail2banDb(version) VALUES (4);
INSERT INTO jails(name) VALUES ('sshd'), ('recidive');
`;

/** The schema fail2ban 0.9 creates. */
const SCHEMA_0_9 = `
CREATE TABLE fail2banDb(version INTEGER);
CREATE TABLE jails(name TEXT NOT NULL UNIQUE, enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL, data JSON,
  FOREIGN KEY(jail) REFERENCES jails(name));
INSERT INTO fail2banDb(version) VALUES (2);
INSERT INTO jails(name) VALUES ('ssh');
`;

/** Create a database at `path` with `schema`, run `fill`, close it. */
function build(path: string, schema: string, fill: (db: DatabaseSync) => void = () => {}): void {
  const db = new DatabaseSync(path);
  db.exec(schema);
  fill(db);
  db.close();
}

/** All rows of the database at `path`, opened with `openFail2banDb`. */
function readAll(path: string): Fail2banDbRow[] {
  const db = openFail2banDb(path);
  try {
    return [...fail2banDbEvents(db)];
  } finally {
    db.close();
  }
}

Deno.test("fail2banDbEvents() reads the 0.10+ bans table", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-f2bdb-" });
  try {
    const path = `${dir}/fail2ban.sqlite3`;
    build(path, SCHEMA_0_10, (db) => {
      const insert = db.prepare("INSERT INTO bans VALUES (?, ?, ?, ?, ?, ?)");
      const matches = JSON.stringify({
        matches: ["Mar  1 10:00:00 host sshd[1]: Failed password for root from 192.0.2.1"],
        failures: 5,
      });
      insert.run("sshd", "192.0.2.1", 1709287201, 600, 1, matches);
      insert.run("sshd", "2001:DB8:0:0::5", 1709287300, 1200, 2, '{"failures": 3}');
      insert.run("recidive", "::ffff:198.51.100.7", 1709290000, -1, 4, "{not json");
      insert.run("sshd", "not-an-ip", 1709290001, 600, 1, null);
      insert.run("sshd", null, 1709290002, 600, 1, null);
      insert.run("sshd", "203.0.113.9", "yesterday", 600, 1, null);
      insert.run("sshd", "203.0.113.10", 1709290003, "forever", 1, null);
      insert.run(
        "sshd",
        "203.0.113.11",
        1709290004,
        600,
        1,
        new TextEncoder().encode('{"failures": 7}'),
      );
      insert.run("sshd", "203.0.113.12", 1709290005, 600, 1, new Uint8Array([0xff, 0xfe, 0x00]));
      insert.run("sshd", "203.0.113.13", 2n ** 62n, 600, 1, null);
      insert.run("sshd", "203.0.113.14", 1709290006.5, 600, 1, '{"failures": "many"}');
      // bips is ignored while bans has rows
      db.prepare("INSERT INTO bips VALUES (?, ?, ?, ?, ?, ?)").run(
        "192.0.2.99",
        "sshd",
        1,
        1,
        1,
        null,
      );
    });
    const rows = readAll(path);

    await t.step("one row per bans row, in rowid order", () => {
      assertEquals(rows.map((r) => [r.table, r.row]), [
        ["bans", 1],
        ["bans", 2],
        ["bans", 3],
        ["bans", 4],
        ["bans", 5],
        ["bans", 6],
        ["bans", 7],
        ["bans", 8],
        ["bans", 9],
        ["bans", 10],
        ["bans", 11],
      ]);
    });

    await t.step("usable rows become db_ban events", () => {
      const first = rows[0].event!;
      assertEquals(first, {
        time: 1709287201000,
        timeKind: TimeKind.Absolute,
        kind: first.kind,
        ip: "192.0.2.1",
        jail: "sshd",
        banSeconds: 600,
        banCount: 1,
        detail: "5 failures",
        pattern: "bans",
      });
      assertEquals(KINDS[first.kind].name, "db_ban");
      assertEquals(
        rows.filter((r) => r.event).map((
          r,
        ) => [r.event!.ip, r.event!.banSeconds, r.event!.banCount, r.event!.detail]),
        [
          ["192.0.2.1", 600, 1, "5 failures"],
          ["2001:db8::5", 1200, 2, "3 failures"],
          ["198.51.100.7", -1, 4, undefined],
          ["203.0.113.11", 600, 1, "7 failures"],
          ["203.0.113.12", 600, 1, undefined],
          ["203.0.113.14", 600, 1, undefined],
        ],
      );
      assertEquals(rows[10].event!.time, 1709290006500);
    });

    await t.step("unusable rows are bad, with the reason", () => {
      const bad = rows.filter((r) => r.bad).map((r) => [r.row, r.bad]);
      assertEquals(bad, [
        [4, 'unusable ip "not-an-ip"'],
        [5, "unusable ip NULL"],
        [6, 'unusable timeofban "yesterday"'],
        [7, 'unusable bantime "forever"'],
        [10, "unusable timeofban 4611686018427387904"],
      ]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fail2banDbEvents() falls back to bips when bans is empty", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-f2bdb-" });
  try {
    const path = `${dir}/fail2ban.sqlite3`;
    build(path, SCHEMA_0_10, (db) => {
      const insert = db.prepare("INSERT INTO bips VALUES (?, ?, ?, ?, ?, ?)");
      insert.run("192.0.2.5", "sshd", 1709287201, 86400, 3, '{"failures": 12}');
      insert.run("192.0.2.6", "recidive", 1709287202, 604800, 1, null);
    });
    const rows = readAll(path);
    assertEquals(
      rows.map((
        r,
      ) => [r.table, r.row, r.event?.ip, r.event?.jail, r.event?.banSeconds, r.event?.pattern]),
      [
        ["bips", 1, "192.0.2.5", "sshd", 86400, "bips"],
        ["bips", 2, "192.0.2.6", "recidive", 604800, "bips"],
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fail2banDbEvents() reads the 0.9 bans table without bantime and bancount", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-f2bdb-" });
  try {
    const path = `${dir}/fail2ban.sqlite3`;
    build(path, SCHEMA_0_9, (db) => {
      const insert = db.prepare("INSERT INTO bans VALUES (?, ?, ?, ?)");
      insert.run("ssh", "192.0.2.8", 1462869015, '{"matches": [], "failures": 6}');
      insert.run("ssh", "192.0.2.9", 1462869016, null);
    });
    const rows = readAll(path);
    assertEquals(rows.length, 2);
    assertEquals(rows[0].event, {
      time: 1462869015000,
      timeKind: TimeKind.Absolute,
      kind: rows[0].event!.kind,
      ip: "192.0.2.8",
      jail: "ssh",
      banSeconds: undefined,
      banCount: undefined,
      detail: "6 failures",
      pattern: "bans",
    });
    assertEquals(rows[1].event?.ip, "192.0.2.9");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fail2banDbEvents() yields nothing for a database without bans", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-f2bdb-" });
  try {
    const path = `${dir}/fail2ban.sqlite3`;
    build(path, SCHEMA_0_10);
    assertEquals(readAll(path), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openFail2banDb() opens read-only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-f2bdb-" });
  try {
    const path = `${dir}/fail2ban.sqlite3`;
    build(path, SCHEMA_0_9);
    const db = openFail2banDb(path);
    try {
      let error: unknown;
      try {
        db.exec("INSERT INTO jails(name) VALUES ('x')");
      } catch (e) {
        error = e;
      }
      assertOk(error instanceof Error, "writing must fail");
      assertIncludes((error as Error).message, "readonly");
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openFail2banDb() throws a clear error for files that are not fail2ban databases", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-f2bdb-" });
  try {
    await t.step("a corrupt file", async () => {
      const path = `${dir}/corrupt.sqlite3`;
      await Deno.writeTextFile(
        path,
        "2024-03-01 10:00:01,512 fail2ban.actions: not a database\n".repeat(200),
      );
      const error = await assertRejects(
        () => openFail2banDb(path),
        Fail2banDbError,
        `Cannot open fail2ban database ${path}: file is not a database`,
      );
      assertEquals((error as Fail2banDbError).path, path);
      assertEquals(error.name, "Fail2banDbError");
    });

    await t.step("a missing file", async () => {
      const path = `${dir}/missing.sqlite3`;
      const error = await assertRejects(
        () => openFail2banDb(path),
        Fail2banDbError,
        `Cannot open fail2ban database ${path}: `,
      );
      assertOk(!error.message.endsWith(path), error.message);
    });

    await t.step("an SQLite database of something else", async () => {
      const path = `${dir}/other.sqlite3`;
      build(path, "CREATE TABLE notes(text TEXT)");
      await assertRejects(
        () => openFail2banDb(path),
        Fail2banDbError,
        `Cannot open fail2ban database ${path}: no bans or bips table`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
