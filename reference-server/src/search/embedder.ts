/**
 * Embedders: what turns text into vectors for the Search level (SPEC.md §6.2). The server holds one; its model
 * id and dimensions are declared in health, stored vectors must have its dimensions (OMP-EMB-002), and every
 * memory written without an embedding gets one before the write is acknowledged (OMP-SEARCH-022).
 */

/** Whether a text is a search query or a stored memory (asymmetric models such as e5 embed them differently). */
export type EmbedRole = 'query' | 'passage';

/** A text embedding model. Vectors are L2-normalised, so a dot product is the cosine similarity. */
export interface Embedder {
  /** The model id declared in health. */
  readonly model: string;
  /** Length of every vector. */
  readonly dimensions: number;
  /** Embed texts, in order; rejects when the model cannot (the write or search then fails, nothing is stored). */
  embed(texts: readonly string[], role: EmbedRole): Promise<Float32Array[]>;
  /** Release the model. */
  close(): void;
}

/** Scale a vector to unit length (a zero vector stays zero). */
export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) * (v[i] as number);
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
  return v;
}

/**
 * A vector as the JSON text stored in a memory's `embedding` (and returned by get and export): components
 * rounded to 6 decimals, which changes no cosine by more than 1e-5 and keeps the text about 3.5 kB at 384
 * dimensions.
 */
export function vectorJson(v: Float32Array): string {
  let out = '[';
  for (let i = 0; i < v.length; i++) {
    if (i > 0) out += ',';
    out += String(Math.round((v[i] as number) * 1e6) / 1e6);
  }
  return `${out}]`;
}
