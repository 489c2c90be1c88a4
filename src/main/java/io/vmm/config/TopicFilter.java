package io.vmm.config;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Include/exclude name filter with MM2's list semantics (after MM2 {@code DefaultTopicFilter} /
 * {@code DefaultGroupFilter}): each list is comma-separated regexes, joined with {@code |} into one pattern
 * that must match the <em>whole</em> name; an empty list matches nothing; exclude wins over include.
 * Immutable and thread-safe.
 */
public final class TopicFilter {

  private final Pattern include;
  private final Pattern exclude;

  /**
   * @throws PatternSyntaxException if a list is not a valid regex once joined
   */
  public TopicFilter(String includeList, String excludeList) {
    this.include = compile(includeList);
    this.exclude = compile(excludeList);
  }

  /** The include list as one regex (MM2's {@code topics}/{@code groups} form: alternatives joined by {@code |}), or null. */
  public String includes() {
    return include == null ? null : include.pattern();
  }

  /** The exclude list as one regex ({@code topics.exclude}/{@code groups.exclude}), or null. */
  public String excludes() {
    return exclude == null ? null : exclude.pattern();
  }

  /** True if the name matches the include list and not the exclude list. */
  public boolean test(String name) {
    return include != null && include.matcher(name).matches() && (exclude == null || !exclude.matcher(name).matches());
  }

  /** MM2's list-to-regex step: split on commas, trim, drop empties, join with {@code |}; null if empty. */
  static Pattern compile(String list) {
    if (list == null) {
      return null;
    }
    String joined = Arrays.stream(list.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.joining("|"));
    return joined.isEmpty() ? null : Pattern.compile(joined);
  }

  @Override
  public String toString() {
    return "include=" + include + " exclude=" + exclude;
  }
}
