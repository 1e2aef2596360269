/** Reading a response body from an untrusted server without holding more than a fixed cap. */

/** Bodies larger than this are cut (the http kind) or refused (the Engramia client). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface CappedBody {
  readonly bytes: Buffer;
  /** True when the server sent more than `cap` bytes; the rest was not read (the stream is destroyed). */
  readonly truncated: boolean;
}

/** Reads at most `cap` bytes of `body`; past the cap the stream is destroyed, so an endless body ends here. */
export async function readCappedBody(body: AsyncIterable<Buffer> & { destroy(): void }, cap = MAX_BODY_BYTES): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    if (size + chunk.length > cap) {
      chunks.push(chunk.subarray(0, cap - size));
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  if (truncated) body.destroy();
  return { bytes: Buffer.concat(chunks), truncated };
}
