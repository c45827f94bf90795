// The expression generator: upstream's examples, its exclusive range end, and its errors.
import { describe, expect, test } from "vitest";
import { GeneratorError, generateFromExpression } from "../../src/template/generate.ts";
import { seeded, sequence } from "./random.ts";

const SYMBOLS = "~!@#$%^&*()-_+={}[]\\|<,>.?/\"';:`";
const symbolClass = `[${SYMBOLS.replace(/[\\\]\-^]/g, (c) => `\\${c}`)}]`;

describe("generateFromExpression", () => {
  // openshift.md §2.3 (upstream tests and docs), checked over many seeds.
  test.each([
    ["test[A-Z0-9]{4}template", /^test[A-Z0-9]{4}template$/],
    ["[\\d]{3}", /^[0-9]{3}$/],
    ["[\\w]{20}", /^[A-Za-z0-9_]{20}$/],
    ["[\\a]{10}", /^[A-Za-z0-9]{10}$/],
    ["[\\A]{10}", new RegExp(`^${symbolClass}{10}$`)],
    ["strongPassword[\\w]{3}[\\A]{3}", new RegExp(`^strongPassword[A-Za-z0-9_]{3}${symbolClass}{3}$`)],
    ["admin[0-9]{2}[A-Z]{2}", /^admin[0-9]{2}[A-Z]{2}$/],
    ["admin[0-9]{2}test[A-Z]{2}", /^admin[0-9]{2}test[A-Z]{2}$/],
    ["user[A-Z0-9]{3}", /^user[A-Z0-9]{3}$/],
    ["[a-zA-Z0-9]{16}", /^[a-zA-Z0-9]{16}$/],
    ["[a-zA-Z0-9]{40}", /^[a-zA-Z0-9]{40}$/],
    ["[\\w]{50}", /^\w{50}$/],
    ["[a-z0-9]{127}", /^[a-z0-9]{127}$/],
    ["0x[A-F0-9]{4}", /^0x[A-F0-9]{4}$/],
    ["[a-zA-Z0-9]{255}", /^[a-zA-Z0-9]{255}$/],
  ])("%s matches %s", (from, re) => {
    for (let seed = 1; seed <= 40; seed++) expect(generateFromExpression(from, seeded(seed))).toMatch(re);
  });

  test("is deterministic for a seeded source", () => {
    expect(generateFromExpression("[\\w]{30}", seeded(7))).toBe(generateFromExpression("[\\w]{30}", seeded(7)));
    expect(generateFromExpression("[\\w]{30}", seeded(7))).not.toBe(generateFromExpression("[\\w]{30}", seeded(8)));
  });

  test("the last character of a range is never produced, as upstream", () => {
    expect(generateFromExpression("[0-1]{8}", seeded(3))).toBe("00000000");
    const letters = generateFromExpression("[a-z]{255}", seeded(5));
    expect(letters).not.toContain("z");
    expect(letters).toContain("y");
    const digits = generateFromExpression("[0-9]{255}", seeded(5));
    expect(digits).not.toContain("9");
    expect(digits).toContain("8");
    // `[a-Z]` is accepted and spans a…z A…Y.
    const mixed = generateFromExpression("[a-Z]{255}", seeded(9));
    expect(mixed).toMatch(/^[a-zA-Y]+$/);
  });

  test("class escapes are not affected by the quirk", () => {
    expect(generateFromExpression("[\\d]{3}", sequence(0.9999))).toBe("999");
    expect(generateFromExpression("[\\w]{1}", sequence(0.9999))).toBe("_");
    expect(generateFromExpression("[\\a]{2}", sequence(0))).toBe("aa");
    expect(generateFromExpression("[\\A]{1}", sequence(0.9999))).toBe("`");
  });

  test("a union of classes is de-duplicated and drawn uniformly", () => {
    // \a and \d overlap in the digits: 62 distinct characters, each reachable once.
    const draws = Array.from({ length: 62 }, (_, k) => (k + 0.5) / 62);
    const out = generateFromExpression("[\\a\\d]{62}", sequence(...draws));
    expect(new Set(out).size).toBe(62);
    expect(out).toMatch(/^[a-zA-Z0-9]{62}$/);
  });

  test("each group is independent and text around groups is kept", () => {
    expect(generateFromExpression("a[\\d]{1}b[\\d]{2}c", sequence(0))).toBe("a0b00c");
    expect(generateFromExpression("no groups here", seeded(1))).toBe("no groups here");
  });

  test.each([
    ["[a-z]"], // no count: not a generator group
    ["[a-z_]{3}"], // `_` is not allowed inside the brackets
    ["[]{3}"],
    ["{3}"],
  ])("%s is copied literally", (from) => {
    expect(generateFromExpression(from, seeded(1))).toBe(from);
  });

  // Upstream's wording, typo included.
  test.each([
    ["[ABC]{3}", "malformed expresion syntax: [ABC]"],
    ["[a]{3}", "malformed expresion syntax: [a]"],
    ["x[a-z]{2}[9]{1}", "malformed expresion syntax: [9]"],
    ["[a-z]{0}", "range must be within [1-255] characters (0)"],
    ["[a-z]{256}", "range must be within [1-255] characters (256)"],
    ["[\\w]{300}", "range must be within [1-255] characters (300)"],
    ["[a-z]{99999999999999999999}", "range must be within [1-255] characters (9223372036854775807)"],
    ["[Z-A]{3}", "invalid range specified: Z-A"],
    ["[A-z]{3}", "invalid range specified: A-z"],
    ["[9-0]{2}", "invalid range specified: 9-0"],
  ])("%s fails with %j", (from, message) => {
    expect(() => generateFromExpression(from, seeded(1))).toThrow(new GeneratorError(message));
  });
});
