package io.vmm;

import io.vertx.core.Vertx;
import io.vmm.config.ConfigException;
import io.vmm.config.ConfigLoader;
import io.vmm.config.ConfigParser;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.supervisor.Supervisor;
import io.vmm.metrics.MetricsSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Entry point: {@code java -jar vertx-mirror-maker.jar -conf <file.json|file.yaml|inline JSON>}.
 * <p>
 * Exit codes: 0 after a clean stop (SIGTERM or Ctrl-C: stop polling, drain in-flight records, store progress,
 * within 10 s); 2 for a usage or configuration error, reported before any Kafka client exists, one line per
 * problem with its JSON path; 1 for an unexpected failure.
 */
public final class MirrorMain {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorMain.class);
  static final int EXIT_OK = 0;
  static final int EXIT_FAILURE = 1;
  static final int EXIT_CONFIG = 2;

  private MirrorMain() {
  }

  public static void main(String[] args) {
    int code = run(args, System.err, new CountDownLatch(1));
    System.exit(code);
  }

  /**
   * Validates, starts, and waits for {@code stopRequest} (counted down by SIGTERM/SIGINT), then stops.
   *
   * @return the exit code
   */
  static int run(String[] args, PrintStream err, CountDownLatch stopRequest) {
    long mainStarted = System.nanoTime();
    String conf = confArgument(args);
    if (conf == null) {
      err.println("usage: java -jar vertx-mirror-maker.jar -conf <config.json|config.yaml|inline JSON>");
      return EXIT_CONFIG;
    }
    MirrorMakerConfig config;
    io.vertx.core.json.JsonObject document;
    try {
      document = ConfigLoader.load(conf);
      config = ConfigParser.parse(document);
    } catch (ConfigException e) {
      err.println("Invalid configuration (" + e.problems().size() + " problem"
          + (e.problems().size() == 1 ? "" : "s") + "):");
      e.problems().forEach(p -> err.println("  " + p));
      return EXIT_CONFIG;
    }
    installSignalHandlers(stopRequest);
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = config.clustered()
        ? MetricsSetup.newRegistry(config.cluster().memberName()) : MetricsSetup.newRegistry();
    Vertx vertx;
    if (config.clustered()) {
      try {
        LOG.info("joining cluster {} as member {}", config.cluster().name(), config.cluster().memberName());
        vertx = MetricsSetup.newClusteredVertx(registry, config.cluster()).await(2, TimeUnit.MINUTES);
      } catch (IllegalArgumentException e) {
        err.println("Invalid configuration (1 problem):");
        err.println("  " + e.getMessage());
        return EXIT_CONFIG;
      } catch (Exception e) {
        LOG.error("cannot join the cluster: {}", e.toString());
        return EXIT_FAILURE;
      }
    } else {
      vertx = MetricsSetup.newVertx(registry);
    }
    Supervisor supervisor = new Supervisor(vertx, config, document, registry);
    try {
      LOG.info("starting {} flow(s): {} ({} ms after main)", config.flows().size(),
          String.join(", ", config.flows().stream().map(f -> f.name()).toList()),
          (System.nanoTime() - mainStarted) / 1_000_000);
      supervisor.start().await(10, TimeUnit.MINUTES);
      if (!conf.trim().startsWith("{")) {
        supervisor.watch(conf); // live reconfiguration: edits of the file are applied without a restart
      }
      stopRequest.await();
      LOG.info("stop requested: draining in-flight records and storing progress");
      supervisor.stop().await(9_500, TimeUnit.MILLISECONDS);
      return EXIT_OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EXIT_FAILURE;
    } catch (Exception e) {
      LOG.error("unexpected failure", e);
      return EXIT_FAILURE;
    } finally {
      try {
        vertx.close().await(config.clustered() ? 5_000 : 500, TimeUnit.MILLISECONDS); // clustered: leave the cluster
      } catch (Exception e) {
        LOG.warn("closing Vert.x: {}", e.toString());
      }
    }
  }

  /** The value of {@code -conf}, {@code --conf} or {@code -conf=...}; null if absent. */
  static String confArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("-conf") || a.equals("--conf")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        return a.substring(a.indexOf('=') + 1);
      }
    }
    return null;
  }

  /**
   * SIGTERM and SIGINT request a clean stop and exit 0 (the JVM's default would exit 143/130 without draining).
   * Falls back to a shutdown hook where signals cannot be handled.
   */
  @SuppressWarnings("removal")
  private static void installSignalHandlers(CountDownLatch stopRequest) {
    try {
      sun.misc.SignalHandler handler = signal -> stopRequest.countDown();
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    } catch (Throwable e) {
      LOG.warn("cannot handle signals ({}); stopping through a shutdown hook", e.toString());
      Runtime.getRuntime().addShutdownHook(new Thread(stopRequest::countDown));
    }
  }
}
