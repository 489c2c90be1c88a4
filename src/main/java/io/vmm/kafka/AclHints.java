package io.vmm.kafka;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Names the ACL a refused client request lacks, so that an authorization failure says what to grant: Kafka's own
 * {@link AuthorizationException} messages name the resource but not the operation or the cluster. Pure; no I/O.
 */
public final class AclHints {

  private AclHints() {
  }

  /**
   * An exception naming the missing ACL of a <b>write</b> to {@code topic} on cluster {@code cluster}, caused by
   * {@code e}; {@code e} itself when it is not an authorization failure.
   *
   * @return for a {@link TopicAuthorizationException}: {@code "cluster B denied WRITE on TOPIC 'A.t' to the
   *         mirror's principal (grant WRITE and DESCRIBE on it): <Kafka's message>"}; similar for a cluster,
   *         group or transactional-id refusal
   */
  public static Throwable onWrite(Throwable e, String topic, String cluster) {
    if (!(e instanceof AuthorizationException)) {
      return e;
    }
    String what;
    if (e instanceof TopicAuthorizationException) {
      what = "WRITE on TOPIC '" + topic + "' (grant WRITE and DESCRIBE on it)";
    } else if (e instanceof ClusterAuthorizationException) {
      what = "IDEMPOTENT_WRITE on CLUSTER (grant it, or set producer enable.idempotence=false)";
    } else if (e instanceof TransactionalIdAuthorizationException) {
      what = "WRITE on the TRANSACTIONAL_ID of the producer";
    } else if (e instanceof GroupAuthorizationException) {
      what = "READ on the GROUP";
    } else {
      what = "an operation needed to write to '" + topic + "'";
    }
    return new AuthorizationDenied("cluster " + cluster + " denied " + what + " to the mirror's principal: "
        + e.getMessage(), e);
  }

  /** An authorization failure with the missing ACL named; its cause is Kafka's exception. */
  public static final class AuthorizationDenied extends AuthorizationException {
    private static final long serialVersionUID = 1L;

    AuthorizationDenied(String message, Throwable cause) {
      super(message, cause);
    }

    /** The message alone: it already names the cluster, the operation, the resource and Kafka's words. */
    @Override
    public String toString() {
      return getMessage();
    }
  }
}
