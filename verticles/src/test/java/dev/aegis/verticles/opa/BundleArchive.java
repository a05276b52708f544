package dev.aegis.verticles.opa;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads an OPA bundle with an independent implementation (Apache Commons Compress) and checks it
 * against OPA's documented layout: gzip, ustar headers with valid checksums, regular files only,
 * a {@code /.manifest} JSON with {@code revision} and {@code roots}, and every {@code .rego}
 * module in a package under a declared root (what OPA's bundle reader enforces in
 * {@code Manifest.validateAndInjectDefaults}).
 */
final class BundleArchive {

  final Map<String, String> files = new LinkedHashMap<>();
  final JsonObject manifest;

  private BundleArchive(byte[] targz) throws IOException {
    assertThat(targz.length).isGreaterThan(2);
    assertThat(targz[0] & 0xff).as("gzip magic").isEqualTo(0x1f);
    assertThat(targz[1] & 0xff).as("gzip magic").isEqualTo(0x8b);
    byte[] tar = gunzip(targz);
    assertThat(tar.length % 512).as("whole 512-byte blocks").isZero();
    checkHeaders(tar);
    try (TarArchiveInputStream in = new TarArchiveInputStream(
        new GzipCompressorInputStream(new ByteArrayInputStream(targz)))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        assertThat(e.isFile()).as(e.getName() + " is a regular file").isTrue();
        String name = e.getName().startsWith("/") ? e.getName() : "/" + e.getName();
        assertThat(files).as("duplicate entry " + name).doesNotContainKey(name);
        files.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertThat(files).containsKey("/.manifest");
    manifest = new JsonObject(files.get("/.manifest"));
    assertThat(manifest.getValue("revision")).isInstanceOf(String.class);
    assertThat(manifest.getJsonArray("roots")).isNotEmpty();
    for (Map.Entry<String, String> f : files.entrySet()) {
      String path = f.getKey();
      assertThat(path).doesNotContain("..").doesNotContain("//");
      if (path.endsWith(".rego")) {
        String pkg = OpaBundle.packageOf(f.getValue());
        assertThat(pkg).as("package of " + path).isNotNull();
        String pkgPath = pkg.replace('.', '/');
        assertThat(path).as("module under its package directory").startsWith("/" + pkgPath + "/");
        assertThat(path.substring(pkgPath.length() + 2)).doesNotContain("/");
        assertThat(manifest.getJsonArray("roots").stream().map(Object::toString)
            .anyMatch(r -> pkgPath.equals(r) || pkgPath.startsWith(r + "/")))
            .as("package " + pkg + " of " + path + " under a declared root").isTrue();
      } else {
        assertThat(path).as("only modules and the manifest").isEqualTo("/.manifest");
      }
    }
  }

  static BundleArchive read(byte[] targz) throws IOException {
    return new BundleArchive(targz);
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /** Walks the raw headers: ustar magic, version and checksum of each, and the end marker. */
  static void checkHeaders(byte[] tar) {
    int off = 0;
    int zeroBlocks = 0;
    while (off < tar.length) {
      boolean zero = true;
      for (int i = 0; i < 512; i++) {
        if (tar[off + i] != 0) {
          zero = false;
          break;
        }
      }
      if (zero) {
        zeroBlocks++;
        off += 512;
        continue;
      }
      assertThat(zeroBlocks).as("no entry after the end marker").isZero();
      assertThat(new String(tar, off + 257, 6, StandardCharsets.US_ASCII)).isEqualTo("ustar\0");
      assertThat(new String(tar, off + 263, 2, StandardCharsets.US_ASCII)).isEqualTo("00");
      assertThat((char) tar[off + 156]).as("typeflag regular file").isEqualTo('0');
      long sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += (i >= 148 && i < 156) ? ' ' : tar[off + i] & 0xff;
      }
      long stored = Long.parseLong(new String(tar, off + 148, 6, StandardCharsets.US_ASCII).trim(), 8);
      assertThat(stored).as("header checksum").isEqualTo(sum);
      long size = Long.parseLong(new String(tar, off + 124, 11, StandardCharsets.US_ASCII), 8);
      off += 512 + (int) ((size + 511) / 512) * 512;
    }
    assertThat(zeroBlocks).as("two zero blocks end the archive").isGreaterThanOrEqualTo(2);
  }
}
