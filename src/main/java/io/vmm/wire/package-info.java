/**
 * Kafka-internal wire access for the batch pass-through data path (issue 17): raw v2 record batches
 * ({@code MemoryRecords}, {@code RecordBatch}) as fetched, stamped for an idempotent produce and sent unchanged in
 * their (still compressed) body, plus the fetch and produce requests that carry them; for exactly-once, the
 * transaction coordinator's requests ({@code TransactionalSender}, {@code TxnCoordinator}) and batches built from
 * records ({@code BatchEncoder}). This is the only package that
 * touches Kafka's record and request classes, which are internals and not public API; it is written against the
 * pinned kafka-clients 4.1.1 internals, and its unit tests compare every layout constant and behaviour against
 * Kafka's own classes so that they fail loudly (test names say "Kafka changed ...") when a Kafka upgrade changes them.
 */
package io.vmm.wire;
