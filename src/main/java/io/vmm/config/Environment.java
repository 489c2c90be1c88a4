package io.vmm.config;

import java.util.Map;

/**
 * The environment variables this service reads, and the only place that reads any:
 * <ul>
 *   <li>{@code VMM_HTTP_TOKEN}: the REST API's bearer token; wins over {@code http.token}
 *       ({@link #effectiveHttpToken}), so the token can come from a Kubernetes Secret;</li>
 *   <li>{@code VMM_MEMBER_NAME}, else {@code HOSTNAME} (a pod's name): the default {@code cluster.memberName};</li>
 *   <li>{@code POD_IP} (Kubernetes downward API): the default {@code cluster.host};</li>
 *   <li>for the launcher ({@code io.vmm.launch}): {@code VMM_JVM_DEFAULTS} ({@code off}: no JVM defaults),
 *       {@code VMM_PRINT_JVM} ({@code 1}: print the JVM's arguments), {@code VMM_CDS} ({@code off}: no class-data
 *       archive) and {@code VMM_CDS_DIR} (where the archive is kept), and whether {@code JAVA_TOOL_OPTIONS} or
 *       {@code JDK_JAVA_OPTIONS} is set (their values are not read).</li>
 * </ul>
 * A variable that is unset or blank counts as absent. ({@code LOG_LEVEL} and {@code VMM_LOG_LEVEL} are read by
 * {@code logback.xml}, not by code.) Immutable and thread-safe.
 */
public final class Environment {

  public static final String HTTP_TOKEN = "VMM_HTTP_TOKEN";
  public static final String MEMBER_NAME = "VMM_MEMBER_NAME";
  public static final String HOSTNAME = "HOSTNAME";
  public static final String POD_IP = "POD_IP";
  public static final String SECRETS_DIR = "VMM_SECRETS_DIR";
  public static final String CONFIGMAPS_DIR = "VMM_CONFIGMAPS_DIR";
  public static final String RACK_ID = "VMM_RACK_ID";
  public static final String JVM_DEFAULTS = "VMM_JVM_DEFAULTS";
  public static final String PRINT_JVM = "VMM_PRINT_JVM";
  public static final String CDS = "VMM_CDS";
  public static final String CDS_DIR = "VMM_CDS_DIR";
  public static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
  public static final String JDK_JAVA_OPTIONS = "JDK_JAVA_OPTIONS";
  /** Where mounted Kubernetes Secrets are when {@code $VMM_SECRETS_DIR} is not set. */
  public static final String DEFAULT_SECRETS_DIR = "/etc/vmm/secrets";
  /** Where mounted ConfigMaps are when {@code $VMM_CONFIGMAPS_DIR} is not set. */
  public static final String DEFAULT_CONFIGMAPS_DIR = "/etc/vmm/configmaps";

  private static final Environment SYSTEM = new Environment(System.getenv());

  private final Map<String, String> variables;

  /** An environment of the given variables (tests; {@link #system()} for the process's). */
  public Environment(Map<String, String> variables) {
    this.variables = Map.copyOf(variables);
  }

  /** The process's environment ({@link System#getenv()}, which does not change while the process runs). */
  public static Environment system() {
    return SYSTEM;
  }

  /** {@code $VMM_HTTP_TOKEN} exactly as set, or null when unset or blank. */
  public String httpToken() {
    return value(HTTP_TOKEN);
  }

  /** {@code $VMM_MEMBER_NAME}, else {@code $HOSTNAME}, trimmed; null when neither is set (not blank). */
  public String memberName() {
    for (String name : new String[] {MEMBER_NAME, HOSTNAME}) {
      String v = value(name);
      if (v != null) {
        return v.trim();
      }
    }
    return null;
  }

  /** {@code $POD_IP} as set, or null when unset or blank. */
  public String podIp() {
    return value(POD_IP);
  }

  /**
   * The directory holding one sub-directory per Kubernetes Secret ({@code <dir>/<secretName>/<key>}, as a Secret
   * volume is mounted): {@code $VMM_SECRETS_DIR}, else {@link #DEFAULT_SECRETS_DIR}.
   */
  public java.nio.file.Path secretsDir() {
    String v = value(SECRETS_DIR);
    return java.nio.file.Path.of(v != null ? v.trim() : DEFAULT_SECRETS_DIR);
  }

  /** The directory holding one sub-directory per ConfigMap: {@code $VMM_CONFIGMAPS_DIR}, else the default. */
  public java.nio.file.Path configMapsDir() {
    String v = value(CONFIGMAPS_DIR);
    return java.nio.file.Path.of(v != null ? v.trim() : DEFAULT_CONFIGMAPS_DIR);
  }

  /** {@code $VMM_RACK_ID} (the node's zone, for {@code client.rack}), or null when unset or blank. */
  public String rackId() {
    String v = value(RACK_ID);
    return v == null ? null : v.trim();
  }

  /** True when {@code $VMM_JVM_DEFAULTS} is {@code off} (any case): the launcher adds no JVM flags. */
  public boolean jvmDefaultsOff() {
    String v = value(JVM_DEFAULTS);
    return v != null && v.trim().equalsIgnoreCase("off");
  }

  /** True when {@code $VMM_PRINT_JVM} is {@code 1}: the launcher prints its decision and the JVM's arguments. */
  public boolean printJvm() {
    String v = value(PRINT_JVM);
    return v != null && v.trim().equals("1");
  }

  /** {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS}, whichever is set (not blank), else null; names only. */
  public String javaOptionsVariable() {
    return value(JAVA_TOOL_OPTIONS) != null ? JAVA_TOOL_OPTIONS : value(JDK_JAVA_OPTIONS) != null ? JDK_JAVA_OPTIONS : null;
  }

  /**
   * The bearer token the REST API's mutating endpoints require: {@code $VMM_HTTP_TOKEN} when set and not blank,
   * else {@code http.token}; null for none. Call it again after a reload ({@code http.token} may change).
   */
  public static String effectiveHttpToken(MirrorMakerConfig config, Environment env) {
    String fromEnv = env.httpToken();
    return fromEnv != null ? fromEnv : config.httpToken();
  }

  /** {@code $VMM_CDS} is {@code off} (case-insensitive): the launcher keeps no class-data archive. */
  public boolean cdsOff() {
    String v = value(CDS);
    return v != null && v.trim().equalsIgnoreCase("off");
  }

  /** {@code $VMM_CDS_DIR} trimmed, or null when unset. */
  public String cdsDir() {
    String v = value(CDS_DIR);
    return v == null ? null : v.trim();
  }

  private String value(String name) {
    String v = variables.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  /** Names only: values (a token among them) are never printed. */
  @Override
  public String toString() {
    return "Environment" + new java.util.TreeSet<>(variables.keySet()).stream()
        .filter(k -> k.equals(HTTP_TOKEN) || k.equals(MEMBER_NAME) || k.equals(HOSTNAME) || k.equals(POD_IP)
            || k.equals(SECRETS_DIR) || k.equals(CONFIGMAPS_DIR) || k.equals(RACK_ID) || k.equals(JVM_DEFAULTS))
        .toList();
  }
}
