// Implements PROTOCOL-HTTP2 "Responses": the percent-encoding of Status-Message (`grpc-message`) (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).

/**
 * Percent-encodes a status message: bytes of the UTF-8 encoding outside printable ASCII
 * (%x20-%x7E) and the '%' itself become %XX (upper-case hex), per the spec's
 * `Percent-Byte-Unencoded = 1*( %x20-%x24 / %x26-%x7E )`.
 */
export function encodeStatusMessage(message: string): string {
  // Fast path: most messages are plain ASCII without '%'.
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  const bytes = Buffer.from(message, "utf8");
  let out = "";
  for (const b of bytes) {
    if (b >= 0x20 && b <= 0x7e && b !== 0x25) out += String.fromCharCode(b);
    else out += "%" + (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
  }
  return out;
}

/**
 * Decodes a received `grpc-message`. The spec requires receivers to tolerate bad encodings:
 * a '%' not followed by two hex digits is kept literally, and invalid UTF-8 becomes U+FFFD
 * rather than failing the call.
 */
export function decodeStatusMessage(value: string): string {
  if (value.indexOf("%") < 0) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length && isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2))) {
      bytes.push(parseInt(value.substr(i + 1, 2), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Not legal on the wire, but tolerate it: keep the character as UTF-8.
      for (const b of Buffer.from(value[i], "utf8")) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
