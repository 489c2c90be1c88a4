package io.vmm.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code kafka-mirror-maker.sh}'s command line (legacy MirrorMaker, MM1, removed in Kafka 4.0) as the same
 * document a {@code KafkaMirrorMaker} resource gives ({@link Mm1Spec#build}):
 * <pre>
 *   --consumer.config consumer.properties --producer.config producer.properties
 *   [--num.streams N] (--whitelist | --include) REGEX [--offset.commit.interval.ms MS]
 *   [--abort.on.send.failure true|false]
 * </pre>
 * {@code consumer.properties} gives the source cluster: {@code bootstrap.servers}, {@code group.id} (the MM1 group)
 * and every other key as the source cluster's client settings; {@code producer.properties} likewise for the target.
 * Both {@code --opt value} and {@code --opt=value} are accepted. Options MM1 had but that mean nothing here
 * ({@code --message.handler}, {@code --rebalance.listener} and their args, {@code --new.consumer}) are errors, so
 * nothing runs differently from what the user expects. Reads the two files (blocking): call it off the event loop.
 */
public final class Mm1CommandLine {

  static final Set<String> OPTIONS = Set.of("--consumer.config", "--producer.config", "--num.streams", "--whitelist",
      "--include", "--offset.commit.interval.ms", "--abort.on.send.failure");

  private Mm1CommandLine() {
  }

  /** True when {@code args} are {@code kafka-mirror-maker.sh}'s: they name {@code --consumer.config}. */
  public static boolean matches(String[] args) {
    for (String a : args) {
      if (a.equals("--consumer.config") || a.startsWith("--consumer.config=")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The MM2-shaped document of an MM1 command line.
   *
   * @throws ConfigException one line per problem, naming the option or file and key
   */
  public static JsonObject toSpec(String[] args) {
    Problems problems = new Problems();
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (!OPTIONS.contains(name)) {
        problems.add(a, "unknown option; kafka-mirror-maker.sh's options here: " + String.join(", ",
            new java.util.TreeSet<>(OPTIONS)));
        continue;
      }
      String value;
      if (a.contains("=")) {
        value = a.substring(a.indexOf('=') + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        problems.add(name, "needs a value");
        continue;
      }
      if (opts.put(name, value) != null) {
        problems.add(name, "given twice");
      }
    }
    if (opts.containsKey("--whitelist") && opts.containsKey("--include")) {
      problems.add("--whitelist", "deprecated name of --include; give only one");
    }
    String topics = opts.getOrDefault("--include", opts.get("--whitelist"));
    if (topics == null) {
      problems.add("--include", "required (the topics to mirror, a regex; '*' for all)");
    }
    Map<String, String> consumer = file(opts, "--consumer.config", problems);
    Map<String, String> producer = file(opts, "--producer.config", problems);
    String group = consumer == null ? null : consumer.remove("group.id");
    if (consumer != null && group == null) {
      problems.add(opts.get("--consumer.config"), "group.id is missing (the MM1 consumer group)");
    }
    int streams = (int) number(opts, "--num.streams", 1, 1, 10_000, problems);
    long commitMs = number(opts, "--offset.commit.interval.ms", LegacySpec.DEFAULT_COMMIT_INTERVAL_MS, 100,
        Integer.MAX_VALUE, problems);
    boolean abort = true;
    String abortValue = opts.get("--abort.on.send.failure");
    if (abortValue != null) {
      if (!abortValue.equalsIgnoreCase("true") && !abortValue.equalsIgnoreCase("false")) {
        problems.add("--abort.on.send.failure", "expected true or false, got \"" + abortValue + "\"");
      }
      abort = Boolean.parseBoolean(abortValue);
    }
    JsonObject source = cluster(Mm1Spec.SOURCE, consumer, opts.get("--consumer.config"), problems);
    JsonObject target = cluster(Mm1Spec.TARGET, producer, opts.get("--producer.config"), problems);
    problems.throwIfAny();
    return Mm1Spec.build(source, target, topics, new LegacySpec(group, commitMs, abort), streams, null, null);
  }

  private static JsonObject cluster(String alias, Map<String, String> props, String file, Problems problems) {
    if (props == null) {
      return null;
    }
    String servers = props.remove("bootstrap.servers");
    if (servers == null) {
      problems.add(file, "bootstrap.servers is missing");
    }
    JsonObject config = new JsonObject();
    props.forEach(config::put);
    return new JsonObject().put("alias", alias).put("bootstrapServers", servers).put("config", config);
  }

  private static Map<String, String> file(Map<String, String> opts, String option, Problems problems) {
    String path = opts.get(option);
    if (path == null) {
      problems.add(option, "required");
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      problems.add(option, path + ": file not found");
      return null;
    } catch (IOException | IllegalArgumentException e) {
      problems.add(option, path + ": cannot read: " + e.getMessage());
      return null;
    }
    Map<String, String> m = new LinkedHashMap<>();
    p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return m;
  }

  private static long number(Map<String, String> opts, String option, long dflt, long min, long max,
                             Problems problems) {
    String v = opts.get(option);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < min || n > max) {
        problems.add(option, "must be between " + min + " and " + max + ", got " + n);
        return dflt;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(option, "expected an integer, got \"" + v + "\"");
      return dflt;
    }
  }
}
