package io.vmm.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test PKI, generated ONCE per JVM, in memory, in a few milliseconds (the JDK has no public certificate builder, so
 * {@code Der} writes the few DER structures of an X.509 v3 certificate itself; {@code keytool} took 20 s on a busy
 * machine): an EC (P-256) CA ({@code CN=vmm-test-ca}, basic constraints CA), a broker certificate
 * ({@code CN=localhost}, SAN {@code IP:127.0.0.1, DNS:localhost}, so host name verification passes for 127.0.0.1)
 * and two client certificates ({@code CN=vmm-user}, and {@code CN=vmm-user-2} with its own key, the one a
 * certificate rotation puts in place), each signed by the CA (ECDSA with SHA-256), valid from yesterday
 * for 10 years, and checked with the JDK's {@link CertificateFactory} and signature verification. Everything is
 * handed out as PEM: certificates as {@code BEGIN CERTIFICATE} blocks, private keys as unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}), which is what Strimzi puts into a KafkaUser's Secret ({@code ca.crt},
 * {@code user.crt}, {@code user.key}). Thread-safe.
 */
public final class TestCertificates {

  private static final Logger LOG = LoggerFactory.getLogger(TestCertificates.class);
  private static volatile TestCertificates instance;

  private final String caPem;
  private final String brokerCertPem;
  private final String brokerKeyPem;
  private final String userCertPem;
  private final String userKeyPem;
  private final String rotatedCertPem;
  private final String rotatedKeyPem;

  private TestCertificates(String caPem, String brokerCertPem, String brokerKeyPem, String userCertPem,
                           String userKeyPem, String rotatedCertPem, String rotatedKeyPem) {
    this.caPem = caPem;
    this.brokerCertPem = brokerCertPem;
    this.brokerKeyPem = brokerKeyPem;
    this.userCertPem = userCertPem;
    this.userKeyPem = userKeyPem;
    this.rotatedCertPem = rotatedCertPem;
    this.rotatedKeyPem = rotatedKeyPem;
  }

  /** The PKI of this JVM, generated on first use. */
  public static TestCertificates get() {
    TestCertificates c = instance;
    if (c == null) {
      synchronized (TestCertificates.class) {
        c = instance;
        if (c == null) {
          c = generate();
          instance = c;
        }
      }
    }
    return c;
  }

  /** The CA certificate, PEM. */
  public String caPem() {
    return caPem;
  }

  /** The broker's certificate followed by the CA certificate, PEM. */
  public String brokerChainPem() {
    return brokerCertPem + caPem;
  }

  /** The broker's private key, PEM PKCS#8. */
  public String brokerKeyPem() {
    return brokerKeyPem;
  }

  /** The client's ({@code CN=vmm-user}) certificate, PEM. */
  public String userCertPem() {
    return userCertPem;
  }

  /** The client's private key, PEM PKCS#8 (a secret: tests assert it never appears in logs). */
  public String userKeyPem() {
    return userKeyPem;
  }

  /**
   * The second client's ({@code CN=vmm-user-2}, a key pair of its own) certificate, PEM: what a certificate
   * rotation of the {@code CN=vmm-user} Secret writes (the broker sees principal {@code User:CN=vmm-user-2}).
   */
  public String rotatedUserCertPem() {
    return rotatedCertPem;
  }

  /** The second client's private key, PEM PKCS#8 (a secret). */
  public String rotatedUserKeyPem() {
    return rotatedKeyPem;
  }

  /** The base64 body of the client's private key on one line, e.g. to search logs for it. */
  public String userKeyBody() {
    return userKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
  }

  private static TestCertificates generate() {
    long t0 = System.nanoTime();
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair ca = gen.generateKeyPair();
      KeyPair broker = gen.generateKeyPair();
      KeyPair user = gen.generateKeyPair();
      KeyPair user2 = gen.generateKeyPair();
      byte[] caName = Der.name("vmm-test-ca");
      byte[] caCert = Der.certificate(1, caName, caName, ca.getPublic(), ca.getPrivate(),
          Der.extension(BASIC_CONSTRAINTS, true, Der.seq(Der.tlv(0x01, new byte[] {(byte) 0xff}))));
      byte[] brokerCert = Der.certificate(2, caName, Der.name("localhost"), broker.getPublic(), ca.getPrivate(),
          Der.extension(SUBJECT_ALT_NAME, false, Der.seq(Der.tlv(0x87, new byte[] {127, 0, 0, 1}),
              Der.tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)))));
      byte[] userCert = Der.certificate(3, caName, Der.name("vmm-user"), user.getPublic(), ca.getPrivate());
      byte[] user2Cert = Der.certificate(4, caName, Der.name("vmm-user-2"), user2.getPublic(), ca.getPrivate());
      TestCertificates c = new TestCertificates(pem("CERTIFICATE", caCert), pem("CERTIFICATE", brokerCert),
          pem("PRIVATE KEY", broker.getPrivate().getEncoded()), pem("CERTIFICATE", userCert),
          pem("PRIVATE KEY", user.getPrivate().getEncoded()), pem("CERTIFICATE", user2Cert),
          pem("PRIVATE KEY", user2.getPrivate().getEncoded()));
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      X509Certificate parsedCa = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(caCert));
      for (byte[] leaf : List.of(caCert, brokerCert, userCert, user2Cert)) {
        factory.generateCertificate(new ByteArrayInputStream(leaf)).verify(parsedCa.getPublicKey());
      }
      LOG.info("test PKI (CA, broker and two client certificates) generated in {} ms",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("generating the test PKI failed: " + e, e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static final int[] BASIC_CONSTRAINTS = {2, 5, 29, 19};
  private static final int[] SUBJECT_ALT_NAME = {2, 5, 29, 17};

  /** Just enough DER (X.690) to write X.509 v3 certificates signed with ECDSA P-256 / SHA-256 (RFC 5280). */
  private static final class Der {

    private static final int[] ECDSA_WITH_SHA256 = {1, 2, 840, 10045, 4, 3, 2};
    private static final int[] COMMON_NAME = {2, 5, 4, 3};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
        .withZone(ZoneOffset.UTC);

    static byte[] certificate(long serial, byte[] issuer, byte[] subject, PublicKey key, PrivateKey signer,
                              byte[]... extensions) throws GeneralSecurityException {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      byte[] algorithm = seq(oid(ECDSA_WITH_SHA256));
      List<byte[]> tbs = new ArrayList<>(List.of(
          tlv(0xa0, integer(BigInteger.TWO)), // [0] EXPLICIT version v3
          integer(BigInteger.valueOf(serial)), algorithm, issuer,
          seq(time(now.minus(1, ChronoUnit.DAYS)), time(now.plus(3650, ChronoUnit.DAYS))),
          subject, key.getEncoded())); // getEncoded() is the SubjectPublicKeyInfo
      if (extensions.length > 0) {
        tbs.add(tlv(0xa3, seq(extensions))); // [3] EXPLICIT extensions
      }
      byte[] tbsCertificate = seq(tbs.toArray(byte[][]::new));
      Signature signature = Signature.getInstance("SHA256withECDSA");
      signature.initSign(signer);
      signature.update(tbsCertificate);
      byte[] sig = signature.sign();
      byte[] bits = new byte[sig.length + 1]; // BIT STRING: leading "unused bits" byte
      System.arraycopy(sig, 0, bits, 1, sig.length);
      return seq(tbsCertificate, algorithm, tlv(0x03, bits));
    }

    /** {@code CN=<cn>} as a Name. */
    static byte[] name(String cn) {
      return seq(tlv(0x31, seq(oid(COMMON_NAME), tlv(0x0c, cn.getBytes(StandardCharsets.UTF_8)))));
    }

    static byte[] extension(int[] oid, boolean critical, byte[] value) {
      return critical ? seq(oid(oid), tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value))
          : seq(oid(oid), tlv(0x04, value));
    }

    static byte[] seq(byte[]... parts) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (byte[] p : parts) {
        out.writeBytes(p);
      }
      return tlv(0x30, out.toByteArray());
    }

    static byte[] tlv(int tag, byte[] value) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      out.write(tag);
      int n = value.length;
      if (n < 0x80) {
        out.write(n);
      } else {
        byte[] len = BigInteger.valueOf(n).toByteArray();
        int skip = len[0] == 0 ? 1 : 0;
        out.write(0x80 | (len.length - skip));
        out.write(len, skip, len.length - skip);
      }
      out.writeBytes(value);
      return out.toByteArray();
    }

    private static byte[] integer(BigInteger v) {
      return tlv(0x02, v.toByteArray());
    }

    private static byte[] time(Instant t) {
      return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(int[] arcs) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      out.write(arcs[0] * 40 + arcs[1]);
      for (int i = 2; i < arcs.length; i++) {
        int v = arcs[i];
        int shift = 28;
        while (shift > 0 && (v >>> shift) == 0) {
          shift -= 7;
        }
        for (; shift > 0; shift -= 7) {
          out.write(0x80 | ((v >>> shift) & 0x7f));
        }
        out.write(v & 0x7f);
      }
      return tlv(0x06, out.toByteArray());
    }
  }
}
