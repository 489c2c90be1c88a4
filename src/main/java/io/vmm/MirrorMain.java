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
import io.vmm.config.PrintableSpec;
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
 * Entry point: {@code java -jar vertx-mirror-maker.jar -conf <file.json|file.yaml|file.properties|inline JSON>},
 * or MM2's script form {@code java -jar vertx-mirror-maker.jar connect-mirror-maker.properties --clusters B};
 * options {@code --validate}, {@code --print-config}, {@code --help} ({@link #HELP}).
 * <p>
 * Exit codes: 0 after a clean stop (SIGTERM or Ctrl-C: stop polling, drain in-flight records, store progress,
 * within {@link Budgets#SHUTDOWN_MS}) in which every flow stored its final progress; 1 when a flow did not (its
 * final store failed, records stayed in flight, or its stop exceeded the budget: one line per such flow on
 * stderr says what was not stored and how many records will be mirrored again), or for an unexpected failure;
 * 2 for a usage or configuration error, reported before any Kafka client exists, one line per problem with its
 * JSON path (or the file's problem: not found, not valid JSON/YAML, ...).
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
  static final String USAGE = "usage: java -jar vertx-mirror-maker.jar -conf <config.json|config.yaml|"
      + "connect-mirror-maker.properties|inline JSON> [--clusters A [B ...]] [--validate | --print-config | --help]\n"
      + "       java -jar vertx-mirror-maker.jar connect-mirror-maker.properties [--clusters A [B ...]]\n"
      + "       java -jar vertx-mirror-maker.jar --consumer.config c.properties --producer.config p.properties "
      + "[--num.streams N] [--whitelist|--include REGEX] [--offset.commit.interval.ms MS] "
      + "[--abort.on.send.failure true|false]   (legacy MirrorMaker, kafka-mirror-maker.sh's options)";
  static final String HELP = """
      Options:
        -conf <file|JSON>    the configuration: a Strimzi KafkaMirrorMaker2 spec or resource (.json, .yaml,
                             .yml, inline JSON) or MM2's connect-mirror-maker.properties (.properties); a
                             properties file may also be given alone, as connect-mirror-maker.sh takes it
        --clusters A [B ...] properties file only: run only the flows whose target cluster is listed
        --validate           check the configuration, print "configuration is valid" or the problems, exit 0 or 2
        --print-config       print the effective configuration as JSON, secrets hidden, and exit
        --help               print this help and exit
      A Strimzi KafkaMirrorMaker (MM1) resource, or kafka-mirror-maker.sh's options, run in legacy mode.
      Exit codes: 0 clean stop with every flow's progress stored, 1 progress not stored at stop (one line per
      flow says what will be mirrored again), unexpected failure or legacy abortOnSendFailure, 2 usage or
      configuration error.""";

  private MirrorMain() {
  }

  public static void main(String[] args) {
    int code = run(args, System.err, new CountDownLatch(1));
    System.exit(code);
  }

  /**
   * As {@link #run(String[], PrintStream, PrintStream, CountDownLatch)} with {@link System#out} for output.
   *
   * @return the exit code
   */
  static int run(String[] args, PrintStream err, CountDownLatch stopRequest) {
    return run(args, System.out, err, stopRequest);
  }

  /**
   * Validates, starts, and waits for {@code stopRequest} (counted down by SIGTERM/SIGINT), then stops. With
   * {@code --help}, {@code --validate} or {@code --print-config} it prints to {@code out} and returns without
   * starting anything.
   *
   * @param out where usage, {@code --validate}'s verdict and {@code --print-config}'s JSON go
   * @param err where usage and configuration errors go
   * @return the exit code
   */
  static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stopRequest) {
    long mainStarted = System.nanoTime();
    boolean mm1 = io.vmm.config.Mm1CommandLine.matches(args); // legacy MM1: kafka-mirror-maker.sh's options
    Arguments arguments;
    try {
      arguments = mm1 ? new Arguments(null, java.util.Set.of(), false, false, false) : Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return EXIT_CONFIG;
    }
    if (arguments.help()) {
      out.println(USAGE);
      out.println(HELP);
      return EXIT_OK;
    }
    String conf = arguments.conf();
    if (conf == null && !mm1) {
      err.println(USAGE);
      return EXIT_CONFIG;
    }
    MirrorMakerConfig config;
    JsonObject document;
    Tracing tracing = null;
    try {
      document = mm1 ? io.vmm.config.Mm1CommandLine.toSpec(args) : load(conf, arguments.clusters()); // MM1 hook
      config = ConfigParser.parse(document, Environment.system());
      if (arguments.validate()) {
        out.println("configuration is valid: " + config.flows().size() + " flow(s): "
            + String.join(", ", config.flows().stream().map(f -> f.name()).toList()));
        return EXIT_OK;
      }
      if (arguments.printConfig()) {
        out.println(PrintableSpec.redacted(document).encodePrettily());
        return EXIT_OK;
      }
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
      boolean started = startedBeforeStop(supervisor.start(), stopRequest);
      if (started && !mm1 && !ConfigSource.isInline(conf)) { // MM1 hook: no file to watch
        supervisor.watch(conf, arguments.clusters()); // live reconfiguration: edits of the file are applied without a restart
      }
      stopRequest.await();
      LOG.info("stop requested: draining in-flight records and storing progress");
      // what remains of the shutdown budget after closing Vert.x alone (a clustered close comes on top, as before)
      long stopBudget = Budgets.SHUTDOWN_MS - Budgets.VERTX_CLOSE_MS;
      io.vmm.supervisor.StopSummary stopped;
      try {
        stopped = supervisor.stop().await(stopBudget, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        stopped = io.vmm.supervisor.StopSummary.notStopped(config.flows().stream().map(f -> f.name()).toList(),
            stopBudget);
      }
      return afterStop(stopped, exitCode.get(), err); // EXIT_FAILURE after an ExitRequest (MM1 abortOnSendFailure)
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
   * The exit code after a stop: {@code code} when every flow stored its final progress, else at least
   * {@link #EXIT_FAILURE}, with one line per flow on {@code err} saying what was not stored and what will be
   * mirrored again at the next start.
   */
  static int afterStop(io.vmm.supervisor.StopSummary stopped, int code, PrintStream err) {
    if (stopped.allStored()) {
      return code;
    }
    stopped.lines().values().forEach(err::println);
    return Math.max(code, EXIT_FAILURE);
  }

  /**
   * Waits for whichever comes first: {@code start} completing (true) or {@code stopRequest} (false: the caller
   * stops at once, and the supervisor's stop abandons the start in progress). Looks for the stop request every
   * {@link Budgets#STOP_POLL_MS}, so a SIGTERM during start-up is acted on well within
   * {@link Budgets#STOP_REACTION_MS}. Blocks the main thread (not a Vert.x thread).
   *
   * @throws Exception {@code start}'s failure, or a {@link TimeoutException} after {@link Budgets#START_MS}
   */
  static boolean startedBeforeStop(io.vertx.core.Future<Void> start, CountDownLatch stopRequest) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Budgets.START_MS);
    while (!start.isComplete()) {
      if (stopRequest.await(Budgets.STOP_POLL_MS, TimeUnit.MILLISECONDS)) {
        LOG.info("stop requested during start-up: abandoning the start");
        return false;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("start did not complete within " + Budgets.START_MS + " ms");
      }
    }
    start.await(); // complete: returns, or throws its failure
    return true;
  }

  /**
   * Reads the config with {@link ConfigSource#load} on a plain Vert.x instance of one event loop and one worker
   * (no metrics, no cluster, no file cache, no class-path lookup), closed before returning. Blocks the main
   * thread, which is not a Vert.x thread.
   *
   * @throws ConfigException the file's problem, one line naming it
   */
  static JsonObject load(String conf) {
    return load(conf, java.util.Set.of());
  }

  /**
   * As {@link #load(String)}, an MM2 properties file limited to the flows into {@code onlyTargets} (MM2's
   * {@code --clusters}; empty: every flow).
   */
  static JsonObject load(String conf, java.util.Set<String> onlyTargets) {
    Vertx loader = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1)
        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    try {
      return ConfigSource.load(loader, conf, onlyTargets).await(Budgets.CONFIG_LOAD_MS, TimeUnit.MILLISECONDS);
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

  /** The value of {@code -conf}, {@code --conf} or {@code -conf=...}, or the positional file; null if absent. */
  static String confArgument(String[] args) {
    try {
      return Arguments.parse(args).conf();
    } catch (IllegalArgumentException e) {
      return null;
    }
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

  /**
   * The command line: {@code -conf X} / {@code --conf X} / {@code -conf=X} or one positional file,
   * {@code --clusters A [B ...]} (the aliases up to the next option), and the flags.
   */
  record Arguments(String conf, java.util.Set<String> clusters, boolean validate, boolean printConfig,
                   boolean help) {

    /** @throws IllegalArgumentException a usage problem, one line */
    static Arguments parse(String[] args) {
      String conf = null;
      java.util.Set<String> clusters = new java.util.LinkedHashSet<>();
      boolean validate = false;
      boolean print = false;
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-conf") || a.equals("--conf")) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          conf = only(conf, args[++i]);
        } else if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
          conf = only(conf, a.substring(a.indexOf('=') + 1));
        } else if (a.equals("--clusters")) {
          while (i + 1 < args.length && !args[i + 1].startsWith("-")) {
            for (String alias : args[++i].split(",")) {
              if (!alias.isBlank()) {
                clusters.add(alias.trim());
              }
            }
          }
          if (clusters.isEmpty()) {
            throw new IllegalArgumentException("--clusters needs at least one cluster alias");
          }
        } else if (a.equals("--validate")) {
          validate = true;
        } else if (a.equals("--print-config")) {
          print = true;
        } else if (a.equals("--help") || a.equals("-h") || a.equals("-help")) {
          help = true;
        } else if (a.startsWith("-")) {
          throw new IllegalArgumentException("unknown option " + a);
        } else {
          conf = only(conf, a);
        }
      }
      if (validate && print) {
        throw new IllegalArgumentException("--validate and --print-config: give one of them");
      }
      if (!clusters.isEmpty() && conf != null && !io.vmm.config.Mm2Properties.isProperties(conf)) {
        throw new IllegalArgumentException("--clusters applies to an MM2 properties file (.properties) only");
      }
      return new Arguments(conf, java.util.Set.copyOf(clusters), validate, print, help);
    }

    private static String only(String previous, String conf) {
      if (previous != null) {
        throw new IllegalArgumentException("one configuration only, got " + previous + " and " + conf);
      }
      return conf;
    }
  }
}
