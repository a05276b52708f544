package dev.aegis.pipeline.merkle;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Shared test data. */
final class MerkleFixtures {

  private MerkleFixtures() {}

  static final HexFormat HEX = HexFormat.of();

  /** The eight leaf inputs of the RFC 6962 / certificate-transparency MerkleTreeTest. */
  static final List<byte[]> CT_LEAVES = List.of(unhex(""), unhex("00"), unhex("10"),
      unhex("2021"), unhex("3031"), unhex("40414243"), unhex("5051525354555657"),
      unhex("606162636465666768696a6b6c6d6e6f"));

  /** Published roots of the first 1..8 CT leaves (index i = size i + 1). */
  static final List<String> CT_ROOTS = List.of(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  static byte[] unhex(String s) {
    return HEX.parseHex(s);
  }

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  /** Leaf data for index i: its 4-byte big-endian encoding. */
  static byte[] leafData(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  static List<byte[]> leafData(int from, int to) {
    List<byte[]> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(leafData(i));
    }
    return out;
  }

  static List<String> hexAll(List<byte[]> hashes) {
    return hashes.stream().map(MerkleFixtures::hex).toList();
  }

  /** A copy of {@code b} with bit {@code bit} (0 = MSB of byte 0) flipped. */
  static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
    return c;
  }

  /** A copy of {@code proof} with bit {@code bit} of element {@code i} flipped. */
  static List<byte[]> flip(List<byte[]> proof, int i, int bit) {
    List<byte[]> c = new ArrayList<>(proof);
    c.set(i, flip(proof.get(i), bit));
    return c;
  }
}
