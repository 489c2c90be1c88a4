package io.vmm.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SampledStat: last/min/max/avg/rate over two sample windows, aggregated records and the running total. */
class SampledStatTest {

  private static final double EPS = 1e-9;

  @Test
  void emptyStatHasNaNFiguresZeroRateAndZeroTotal() {
    SampledStat s = new SampledStat();
    assertTrue(Double.isNaN(s.last()));
    assertTrue(Double.isNaN(s.min(0)));
    assertTrue(Double.isNaN(s.max(0)));
    assertTrue(Double.isNaN(s.avg(0)));
    assertEquals(0.0, s.ratePerSecond(0), EPS);
    assertEquals(0, s.total());
  }

  @Test
  void singleValueIsLastMinMaxAndAvg() {
    SampledStat s = new SampledStat();
    s.record(5, 1_000);
    assertEquals(5.0, s.last(), EPS);
    assertEquals(5.0, s.min(1_000), EPS);
    assertEquals(5.0, s.max(1_000), EPS);
    assertEquals(5.0, s.avg(1_000), EPS);
    assertEquals(1, s.total());
  }

  @Test
  void valuesWithinOneWindowShareASample() {
    SampledStat s = new SampledStat(30_000);
    s.record(10, 0);
    s.record(20, 29_999);
    // both in the sample that started at 0: it expires as a whole at 60 000
    assertEquals(15.0, s.avg(59_999), EPS);
    assertTrue(Double.isNaN(s.avg(60_000)));
  }

  @Test
  void windowRollsAtWindowMsAndASampleOlderThanTwoWindowsDropsOut() {
    SampledStat s = new SampledStat(30_000);
    s.record(10, 0);
    s.record(20, 29_999);
    s.record(30, 30_000); // rolls: second sample starts at 30 000
    assertEquals(10.0, s.min(30_000), EPS);
    assertEquals(30.0, s.max(30_000), EPS);
    assertEquals(20.0, s.avg(30_000), EPS);

    assertEquals(10.0, s.min(59_999), EPS); // first sample still live
    assertEquals(30.0, s.min(60_000), EPS); // first sample is two windows old: gone
    assertEquals(30.0, s.max(60_000), EPS);
    assertEquals(30.0, s.avg(60_000), EPS);

    assertEquals(30.0, s.avg(89_999), EPS);
    assertTrue(Double.isNaN(s.min(90_000)));
    assertTrue(Double.isNaN(s.max(90_000)));
    assertTrue(Double.isNaN(s.avg(90_000)));
    assertEquals(30.0, s.last(), EPS, "last is not windowed");
    assertEquals(3, s.total(), "total is not windowed");
  }

  @Test
  void thirdWindowReusesTheOldestSampleAndClearsIt() {
    SampledStat s = new SampledStat(30_000);
    s.record(1, 0);
    s.record(2, 30_000);
    s.record(3, 60_000); // overwrites the sample of 0
    assertEquals(2.0, s.min(60_000), EPS);
    assertEquals(3.0, s.max(60_000), EPS);
    assertEquals(2.5, s.avg(60_000), EPS);
  }

  @Test
  void recordAfterALongGapStartsAFreshWindow() {
    SampledStat s = new SampledStat(30_000);
    s.record(100, 0);
    s.record(7, 100_000);
    assertEquals(7.0, s.min(100_000), EPS);
    assertEquals(7.0, s.max(100_000), EPS);
    assertEquals(7.0, s.avg(100_000), EPS);
    assertEquals(7.0 * 1000 / 30_000, s.ratePerSecond(100_000), EPS);
  }

  @Test
  void defaultWindowIsThirtySeconds() {
    SampledStat s = new SampledStat();
    s.record(1, 0);
    assertEquals(1.0, s.avg(59_999), EPS);
    assertTrue(Double.isNaN(s.avg(60_000)));
  }

  @Test
  void customWindowLength() {
    SampledStat s = new SampledStat(1_000);
    s.record(4, 0);
    s.record(8, 1_000);
    assertEquals(6.0, s.avg(1_999), EPS);
    assertEquals(8.0, s.avg(2_000), EPS);
    assertTrue(Double.isNaN(s.avg(3_000)));
  }

  @Test
  void negativeValuesAreMinAndMax() {
    SampledStat s = new SampledStat();
    s.record(-5, 0);
    assertEquals(-5.0, s.min(0), EPS);
    assertEquals(-5.0, s.max(0), EPS);
  }

  @Test
  void aggregatedRecordCountsNValuesWithTheirSumMinMaxAndLast() {
    SampledStat s = new SampledStat();
    s.record(4, 100, 5, 50, 20, 0);
    assertEquals(4, s.total());
    assertEquals(25.0, s.avg(0), EPS);
    assertEquals(5.0, s.min(0), EPS);
    assertEquals(50.0, s.max(0), EPS);
    assertEquals(20.0, s.last(), EPS);

    s.record(1, 0, 0, 0, 0, 1_000);
    assertEquals(5, s.total());
    assertEquals(20.0, s.avg(1_000), EPS); // 100 / 5
    assertEquals(0.0, s.min(1_000), EPS);
    assertEquals(0.0, s.last(), EPS);
  }

  @Test
  void aggregatedRecordWithNoValuesIsIgnored() {
    SampledStat s = new SampledStat();
    s.record(0, 100, 1, 99, 42, 0);
    s.record(-3, 100, 1, 99, 42, 0);
    assertEquals(0, s.total());
    assertTrue(Double.isNaN(s.last()));
    assertTrue(Double.isNaN(s.avg(0)));
    assertEquals(0.0, s.ratePerSecond(0), EPS);
  }

  @Test
  void rateCountsAtLeastOneFullWindowAsElapsed() {
    SampledStat s = new SampledStat(30_000);
    s.record(300, 0);
    assertEquals(10.0, s.ratePerSecond(0), EPS);       // 300 / 30 s, not 300 / 0 s
    assertEquals(10.0, s.ratePerSecond(15_000), EPS);  // still one full window
    assertEquals(300.0 / 45, s.ratePerSecond(45_000), EPS); // elapsed since the sample start
  }

  @Test
  void rateSumsLiveSamplesFromTheOldestLiveStart() {
    SampledStat s = new SampledStat(30_000);
    s.record(300, 0);
    s.record(600, 40_000); // second sample starts at 40 000
    assertEquals(900.0 / 45, s.ratePerSecond(45_000), EPS);
    // first sample gone: 600 since 40 000, elapsed 20 s counted as a full 30 s window
    assertEquals(20.0, s.ratePerSecond(60_000), EPS);
    assertEquals(600.0 / 50, s.ratePerSecond(90_000), EPS);
    assertEquals(0.0, s.ratePerSecond(100_000), EPS); // both samples expired
  }

  @Test
  void totalCountsEveryValueEver() {
    SampledStat s = new SampledStat(1_000);
    s.record(1, 0);
    s.record(10, 5, 0, 1, 1, 10_000);
    s.record(2, 100_000);
    assertEquals(12, s.total());
  }
}
