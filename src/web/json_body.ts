/**
 * Reading a write request's JSON body: its type, its size and its bytes checked before a byte
 * of it is believed.
 *
 * @module
 */
import { decodeUtf8 } from "../utf8.ts";
import { HttpError } from "./http_status.ts";

/**
 * The largest request body accepted: a spec's command is at most 32 KiB.
 *
 * @example
 * ```ts
 * MAX_BODY_BYTES; // 65536
 * ```
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body as text, refusing other types (415), oversized bodies (413) and
 * bytes that are not UTF-8 (400, naming the first one's offset): a lossy decoder would store a
 * command other than the one sent.
 *
 * @example
 * ```ts
 * declare const req: Request;
 * const spec = JSON.parse(await jsonBody(req));
 * ```
 */
export async function jsonBody(req: Request): Promise<string> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(415, `expected Content-Type application/json, got ${JSON.stringify(type)}`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return decodeUtf8(all, "the request body");
}

function tooLarge(): HttpError {
  return new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
}
