package io.vmm;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Logback turbo filter (configured in {@code logback.xml}) that turns an expected shutdown race into one DEBUG
 * line: Vert.x's close undeploys every deployment again, and one whose undeploy is still running (a stop that
 * exceeded its budget, already reported as a WARN by {@code connector.FlowScope}) fails with
 * {@code IllegalStateException: Already undeployed}, which Vert.x logs as "Undeploy failed" at ERROR with a stack
 * trace. Every other event passes unchanged.
 * <p>
 * Threading: any thread (stateless).
 */
public final class ShutdownRaceFilter extends TurboFilter {

  /** Vert.x's logger of deployments. */
  static final String DEPLOYMENTS = "io.vertx.core.impl.deployment.DefaultDeploymentManager";

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ShutdownRaceFilter.class);

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                            Throwable t) {
    if (t != null && isRace(logger.getName(), t)) {
      LOG.debug("Vert.x close: {} ({}): an undeploy was still running", format, t.getMessage());
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }

  /** Whether {@code t}, logged by {@code loggerName}, is the "Already undeployed" race of a closing Vert.x. */
  static boolean isRace(String loggerName, Throwable t) {
    return DEPLOYMENTS.equals(loggerName) && t instanceof IllegalStateException
        && "Already undeployed".equals(t.getMessage());
  }
}
