package io.vmm.launch;

/** A tiny program for ClassDataArchiveTest: loads a few JDK classes and prints one line. */
public final class CdsProbeMain {

  private CdsProbeMain() {
  }

  public static void main(String[] args) {
    System.out.println("probe " + new java.util.TreeMap<>(java.util.Map.of("a", 1)));
  }
}
