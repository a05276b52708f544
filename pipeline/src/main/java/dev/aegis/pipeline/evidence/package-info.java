/**
 * Evidence building blocks: pure, thread-safe crypto and format code the audit writer, the
 * transparency scheduler and the offline verifier share.
 *
 * <ul>
 *   <li>{@link dev.aegis.pipeline.evidence.Jcs}: RFC 8785 canonical JSON (what is hashed and
 *       signed).</li>
 *   <li>{@link dev.aegis.pipeline.evidence.Ed25519Keys}: Ed25519 keys, encodings, SPEC §0
 *       fingerprints, signatures (BouncyCastle).</li>
 *   <li>{@link dev.aegis.pipeline.evidence.SignedNote} and
 *       {@link dev.aegis.pipeline.evidence.Checkpoint}: C2SP signed-note and tlog-checkpoint.</li>
 *   <li>{@link dev.aegis.pipeline.evidence.Receipts} /
 *       {@link dev.aegis.pipeline.evidence.ReceiptFields}: the AEVF receipt envelope.</li>
 *   <li>{@link dev.aegis.pipeline.evidence.DailyRoot}: the signed daily transparency root.</li>
 * </ul>
 *
 * <p>Every rejection is an {@link dev.aegis.pipeline.evidence.EvidenceException} with a stable
 * {@link dev.aegis.pipeline.evidence.EvidenceException.Reason}. No class here does I/O.
 */
package dev.aegis.pipeline.evidence;
