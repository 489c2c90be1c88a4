package io.vmm.config;

import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.common.utils.Utils;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * Kafka config providers in a settings map (KIP-297; Strimzi's {@code externalConfiguration} route):
 * {@code config.providers=<name>[,<name>...]}, {@code config.providers.<name>.class} and
 * {@code config.providers.<name>.param.<param>}, used as {@code ${<name>:[<path>:]<key>}} in values, e.g.
 * {@code ${file:/etc/vmm/kafka.properties:password}}, {@code ${directory:/etc/vmm/secrets/my-user:password}},
 * {@code ${env:KAFKA_PASSWORD}}.
 * <p>
 * Kafka's clients would resolve these themselves ({@code AbstractConfig} does when {@code config.providers} is in
 * a client's settings). They are resolved here instead, once, when the config is parsed, with Kafka's own
 * {@link ConfigProvider} classes and {@link ConfigTransformer}: so validation sees real values, a missing file is
 * a config error (exit 2) with its JSON path, and the files used are known ({@code ClusterSpec.secretFiles()}).
 * As in {@code AbstractConfig}, the system property {@code org.apache.kafka.automatic.config.providers} (a comma
 * list of class names), when set, limits which classes may be used. The returned map has every variable of a
 * configured provider replaced and keeps the {@code config.providers*} keys ({@code ClusterSpec} passes them on to
 * every client, whose own resolution then finds nothing left in these values, but resolves variables in settings
 * added later, such as a connector's client overrides). A reference to a provider name that is not configured is
 * left as it is, as Kafka does.
 * <p>
 * Problem messages name the JSON path, the variable ({@code ${file:/x:key}}) and the provider's own error; never
 * a resolved value or the rest of the setting's text. Blocking (providers read files); call while parsing.
 */
final class ConfigProviders {

  /** The key listing the provider names. */
  static final String PROVIDERS = "config.providers";
  /** Kafka's system property restricting the provider classes (see {@code AbstractConfig}). */
  static final String ALLOWED_PROPERTY = "org.apache.kafka.automatic.config.providers";

  private ConfigProviders() {
  }

  /** True for {@code config.providers} and every {@code config.providers.*} key. */
  static boolean isProviderKey(String key) {
    return key.equals(PROVIDERS) || key.startsWith(PROVIDERS + ".");
  }

  /**
   * Resolves the variables in the values of {@code config}.
   *
   * @param config   settings as written (key to value)
   * @param path     JSON path of the map, e.g. {@code clusters[0].config}
   * @param problems where a provider that cannot be created, or a variable that does not resolve, is reported
   * @param files    receives the absolute paths of the files that {@link FileConfigProvider} and
   *                 {@link DirectoryConfigProvider} variables refer to
   * @return a new map with the same keys, variables replaced (unresolvable ones left as written and reported)
   */
  static Map<String, String> resolve(Map<String, String> config, String path, Problems problems, List<Path> files) {
    Map<String, String> out = new LinkedHashMap<>(config);
    String names = config.get(PROVIDERS);
    if (names == null || names.isBlank()) {
      return out;
    }
    Map<String, ConfigProvider> providers = providers(config, path, problems);
    try {
      if (providers.isEmpty()) {
        return out;
      }
      ConfigTransformer transformer = new ConfigTransformer(providers);
      for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
        String value = e.getValue();
        if (isProviderKey(e.getKey()) || value == null || !value.contains("${")) {
          continue;
        }
        String keyPath = path + "." + e.getKey();
        List<String[]> variables = variables(value, providers.keySet());
        variables.forEach(v -> addFile(providers.get(v[0]), v, files));
        String[] absent = variables.stream().filter(v -> providers.get(v[0]) instanceof FileConfigProvider
            && missingFile(v[1])).findFirst().orElse(null);
        if (absent != null) { // checked here: Kafka's provider would log the failure with a stack trace
          problems.add(keyPath, describe(absent) + " does not resolve: file " + absent[1] + " not found");
          continue;
        }
        try {
          String resolved = transformer.transform(Map.of(e.getKey(), value)).data().get(e.getKey());
          List<String[]> left = variables(resolved, providers.keySet());
          // a provider returns nothing for a key it does not have: the variable stays
          left.stream().filter(v -> variables.stream().anyMatch(w -> Arrays.equals(v, w))).findFirst()
              .ifPresent(v -> problems.add(keyPath, describe(v) + " does not resolve: "
                  + missing(providers.get(v[0]), v)));
          out.put(e.getKey(), resolved);
        } catch (RuntimeException ex) {
          problems.add(keyPath, variables.stream().map(ConfigProviders::describe).collect(Collectors.joining(", "))
              + " does not resolve: " + ex.getMessage());
        }
      }
      return out;
    } finally {
      providers.values().forEach(p -> Utils.closeQuietly(p, "config provider"));
    }
  }

  private static Map<String, ConfigProvider> providers(Map<String, String> config, String path, Problems problems) {
    String allowedText = System.getProperty(ALLOWED_PROPERTY);
    Set<String> allowed = allowedText == null ? null
        : Arrays.stream(allowedText.split(",")).map(String::trim).collect(Collectors.toSet());
    Map<String, ConfigProvider> providers = new LinkedHashMap<>();
    for (String name : config.get(PROVIDERS).split(",")) {
      name = name.trim();
      if (name.isEmpty()) {
        continue;
      }
      String classKey = PROVIDERS + "." + name + ".class";
      String className = config.get(classKey);
      if (className == null || className.isBlank()) {
        problems.add(path + "." + PROVIDERS, "provider \"" + name + "\" needs " + path + "." + classKey
            + " (e.g. " + FileConfigProvider.class.getName() + ")");
        continue;
      }
      className = className.trim();
      if (allowed != null && !allowed.contains(className)) {
        problems.add(path + "." + classKey, className + " is not allowed by the system property "
            + ALLOWED_PROPERTY + " (" + allowedText + ")");
        continue;
      }
      String paramPrefix = PROVIDERS + "." + name + ".param.";
      Map<String, String> params = new LinkedHashMap<>();
      config.forEach((k, v) -> {
        if (k.startsWith(paramPrefix) && k.length() > paramPrefix.length()) {
          params.put(k.substring(paramPrefix.length()), v);
        }
      });
      try {
        ConfigProvider provider = Utils.newInstance(className, ConfigProvider.class);
        try {
          provider.configure(params);
        } catch (RuntimeException e) {
          Utils.closeQuietly(provider, "config provider");
          throw e;
        }
        providers.put(name, provider);
      } catch (ClassNotFoundException e) {
        problems.add(path + "." + classKey, "class " + className + " not found");
      } catch (RuntimeException e) {
        problems.add(path + "." + classKey, className + " cannot be created: " + e.getMessage());
      }
    }
    return providers;
  }

  /** The variables of configured providers in {@code value}, each as {provider, path or "", key}. */
  private static List<String[]> variables(String value, Set<String> providers) {
    List<String[]> out = new java.util.ArrayList<>();
    if (value == null) {
      return out;
    }
    Matcher m = ConfigTransformer.DEFAULT_PATTERN.matcher(value);
    while (m.find()) {
      if (providers.contains(m.group(1))) {
        out.add(new String[] {m.group(1), m.group(3) == null ? "" : m.group(3), m.group(4)});
      }
    }
    return out;
  }

  private static boolean missingFile(String path) {
    try {
      return !path.isEmpty() && !java.nio.file.Files.isRegularFile(Path.of(path));
    } catch (InvalidPathException e) {
      return false; // the provider reports it
    }
  }

  private static String describe(String[] v) {
    return "${" + v[0] + ":" + (v[1].isEmpty() ? "" : v[1] + ":") + v[2] + "}";
  }

  private static String missing(ConfigProvider provider, String[] v) {
    if (provider instanceof DirectoryConfigProvider) {
      return "no file " + v[2] + " in directory " + v[1];
    }
    if (provider instanceof FileConfigProvider) {
      return "no key " + v[2] + " in file " + v[1];
    }
    return provider.getClass().getSimpleName() + " has no value for " + (v[1].isEmpty() ? "" : v[1] + ":") + v[2];
  }

  private static void addFile(ConfigProvider provider, String[] v, List<Path> files) {
    try {
      Path p = null;
      if (provider instanceof FileConfigProvider && !v[1].isEmpty()) {
        p = Path.of(v[1]);
      } else if (provider instanceof DirectoryConfigProvider && !v[1].isEmpty()) {
        p = Path.of(v[1]).resolve(v[2]);
      }
      if (p != null) {
        p = p.toAbsolutePath().normalize();
        if (!files.contains(p)) {
          files.add(p);
        }
      }
    } catch (InvalidPathException e) {
      // the provider reports the bad path
    }
  }
}
