// Base64 checks with Go's encoding/base64 error offsets ("illegal base64 data at input byte N"),
// the text kube-apiserver reports for a bad []byte field (Secret.data, ConfigMap.binaryData).

const ALPHABET = new Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const isNewline = (c: string | undefined): boolean => c === "\n" || c === "\r";

/**
 * The offset StdEncoding.Decode reports as CorruptInputError, or undefined when `src` is valid
 * padded standard base64 (newlines ignored, as Go does).
 */
export function base64CorruptOffset(src: string): number | undefined {
  let si = 0;
  for (;;) {
    for (let j = 0; j < 4; j++) {
      while (si < src.length && isNewline(src[si])) si++;
      if (si === src.length) return j === 0 ? undefined : si - j;
      const c = src[si]!;
      si++;
      if (ALPHABET.has(c)) continue;
      if (c !== "=") return si - 1;
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== "=") return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
}

/** The decode error text for `src`, or undefined when it is valid base64. */
export function base64Error(src: string): string | undefined {
  const at = base64CorruptOffset(src);
  return at === undefined ? undefined : `illegal base64 data at input byte ${at}`;
}

/** Decoded byte length of valid base64. */
export const decodedLength = (src: string): number => Buffer.from(src, "base64").length;
