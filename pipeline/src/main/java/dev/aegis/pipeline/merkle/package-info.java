/**
 * RFC 9162 (Certificate Transparency v2.0, same tree as RFC 6962) Merkle trees for the audit
 * log: hashing ({@link dev.aegis.pipeline.merkle.MerkleHash}), proof shapes
 * ({@link dev.aegis.pipeline.merkle.MerkleMath}), proof generation from any
 * {@link dev.aegis.pipeline.merkle.NodeSource} (in memory:
 * {@link dev.aegis.pipeline.merkle.InMemoryTree}), the incremental root of an append-only log
 * ({@link dev.aegis.pipeline.merkle.CompactRange}) and proof verification
 * ({@link dev.aegis.pipeline.merkle.MerkleVerifier}).
 *
 * <p>Conventions used throughout: every hash is 32 bytes (SHA-256); leaf indexes and tree sizes
 * are {@code long}s that must not be negative; a node range {@code [start, end)} names the
 * Merkle Tree Hash of leaves {@code start .. end-1}; proofs are lists ordered bottom (closest to
 * the leaf) to top, exactly as RFC 9162 §2.1.3.1 and §2.1.4.1 emit them. Byte arrays handed in
 * are never kept or modified; byte arrays handed out are fresh copies the caller may keep.
 *
 * <p>Pure Java; depends only on the JDK.
 */
package dev.aegis.pipeline.merkle;
