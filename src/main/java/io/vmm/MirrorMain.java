package io.vmm;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.json.JsonObject;
import io.vmm.async.Budgets;
import io.vmm.config.ConfigException;
import io.vmm.config.ConfigParser;
import io.vmm.config.ConfigSource;
import io.vmm.config.Environment;
import io.vmm.config.MirrorMakerConfig;
import io.vmm.supervisor.Supervisor;
import io.vmm.tracing.Tracing;
import io.vmm.metrics.MetricsSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Entry point: {@code java -jar vertx-mirror-maker.jar -conf <file.json|file.yaml|inline JSON>}.
 * <p>
 * Exit codes: 0 after a clean stop (SIGTERM or Ctrl-C: stop polling, drain in-flight records, store progress,
 * within {@link Budgets#SHUTDOWN_MS}); 2 for a usage or configuration error, reported before any Kafka client
 * exists, one line per problem with its JSON path (or the file's problem: not found, not valid JSON/YAML, ...);
 * 1 for an unexpected failure.
 * <p>
 * The config is read with {@link ConfigSource#load} (vertx-config, as reloads read it) on a short-lived plain
 * Vert.x instance, closed before the real one is built: the real one's options (cluster mode, member name of
 * the metrics) come from the config.
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
    boolean mm1 = io.vmm.config.Mm1CommandLine.matches(args); // legacy MM1 hook: kafka-mirror-maker.sh's options
    if (conf == null && !mm1) {
      err.println("usage: java -jar vertx-mirror-maker.jar -conf <config.json|config.yaml|inline JSON>");
      return EXIT_CONFIG;
    }
    MirrorMakerConfig config;
    JsonObject document;
    Tracing tracing;
    try {
      document = mm1 ? io.vmm.config.Mm1CommandLine.toSpec(args) : load(conf); // MM1 hook
      config = ConfigParser.parse(document, Environment.system());
      tracing = Tracing.start(config.tracing()); // invalid OTEL_* settings are config errors too
    } catch (ConfigException e) {
      err.println("Invalid configuration (" + e.problems().size() + " problem"
          + (e.problems().size() == 1 ? "" : "s") + "):");
      e.problems().forEach(p -> err.println("  " + p));
      return EXIT_CONFIG;
    }
    installSignalHandlers(stopRequest);
    // legacy MM1 abortOnSendFailure: a clean stop as on SIGTERM, then exit 1 (io.vmm.async.ExitRequest)
    java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger(EXIT_OK);
    io.vmm.async.ExitRequest.install(reason -> {
      exitCode.set(EXIT_FAILURE);
      stopRequest.countDown();
    });
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = config.clustered()
        ? MetricsSetup.newRegistry(config.cluster().memberName()) : MetricsSetup.newRegistry();
    Vertx vertx;
    if (config.clustered()) {
      try {
        LOG.info("joining cluster {} as member {}", config.cluster().name(), config.cluster().memberName());
        vertx = io.vmm.replica.HazelcastSetup.newClusteredVertx(registry, config.cluster())
            .await(Budgets.CLUSTER_JOIN_MS, TimeUnit.MILLISECONDS);
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
    Supervisor supervisor = new Supervisor(vertx, config, document, registry, tracing, Environment.system());
    try {
      LOG.info("starting {} flow(s): {} ({} ms after main)", config.flows().size(),
          String.join(", ", config.flows().stream().map(f -> f.name()).toList()),
          (System.nanoTime() - mainStarted) / 1_000_000);
      supervisor.start().await(Budgets.START_MS, TimeUnit.MILLISECONDS);
      if (!mm1 && !ConfigSource.isInline(conf)) { // MM1 hook: no file to watch
        supervisor.watch(conf); // live reconfiguration: edits of the file are applied without a restart
      }
      stopRequest.await();
      LOG.info("stop requested: draining in-flight records and storing progress");
      // what remains of the shutdown budget after closing Vert.x alone (a clustered close comes on top, as before)
      supervisor.stop().await(Budgets.SHUTDOWN_MS - Budgets.VERTX_CLOSE_MS, TimeUnit.MILLISECONDS);
      return exitCode.get(); // EXIT_FAILURE after an ExitRequest (MM1 abortOnSendFailure)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EXIT_FAILURE;
    } catch (Exception e) {
      LOG.error("unexpected failure", e);
      return EXIT_FAILURE;
    } finally {
      try {
        // clustered: leave the cluster
        vertx.close().await(config.clustered() ? Budgets.VERTX_CLOSE_CLUSTERED_MS : Budgets.VERTX_CLOSE_MS,
            TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("closing Vert.x: {}", e.toString());
      }
    }
  }

  /**
   * Reads the config with {@link ConfigSource#load} on a plain Vert.x instance of one event loop and one worker
   * (no metrics, no cluster, no file cache, no class-path lookup), closed before returning. Blocks the main
   * thread, which is not a Vert.x thread.
   *
   * @throws ConfigException the file's problem, one line naming it
   */
  static JsonObject load(String conf) {
    Vertx loader = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1)
        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    try {
      return ConfigSource.load(loader, conf).await(Budgets.CONFIG_LOAD_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ConfigException(conf + ": not read within " + Budgets.CONFIG_LOAD_MS / 1000 + " s");
    } finally {
      try {
        loader.close().await(Budgets.VERTX_CLOSE_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.debug("closing the config loader's Vert.x: {}", e.toString());
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
