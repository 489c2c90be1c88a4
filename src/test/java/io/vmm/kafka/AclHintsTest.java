package io.vmm.kafka;

import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AclHintsTest {

  @Test
  void topicRefusalNamesOperationResourceAndCluster() {
    TopicAuthorizationException e = new TopicAuthorizationException(Set.of("A.t"));
    Throwable named = AclHints.onWrite(e, "A.t", "B");
    assertEquals("cluster B denied WRITE on TOPIC 'A.t' (grant WRITE and DESCRIBE on it) to the mirror's "
        + "principal: " + e.getMessage(), named.toString());
    assertSame(e, named.getCause());
  }

  @Test
  void clusterRefusalNamesIdempotentWrite() {
    assertTrue(AclHints.onWrite(new ClusterAuthorizationException("no"), "A.t", "B").getMessage()
        .contains("IDEMPOTENT_WRITE on CLUSTER"));
  }

  @Test
  void otherErrorsAreUnchanged() {
    RecordTooLargeException e = new RecordTooLargeException("big");
    assertSame(e, AclHints.onWrite(e, "A.t", "B"));
  }
}
