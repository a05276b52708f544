package dev.aegis.pipeline.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogAppenderTest {

  /** Verifies that every reported subtree root equals the tree's hash of that aligned range. */
  @Test
  void should_report_every_completed_subtree_and_keep_the_root() {
    LogAppender cut = new LogAppender();
    InMemoryTree reference = new InMemoryTree();
    for (int i = 0; i < 1024; i++) {
      byte[] leaf = MerkleHash.leafHash(ByteBuffer.allocate(4).putInt(i).array());
      reference.append(leaf);
      LogAppender.Appended a = cut.append(leaf);
      assertThat(a.leafIndex()).isEqualTo(i);
      int expectedLevels = Integer.numberOfTrailingZeros(i + 1);
      assertThat(a.subtrees()).hasSize(expectedLevels);
      for (int level = 1; level <= expectedLevels; level++) {
        long end = i + 1L;
        long start = end - (1L << level);
        assertThat(a.subtrees().get(level - 1)).isEqualTo(reference.hash(start, end));
      }
      assertThat(cut.root()).isEqualTo(reference.root());
    }
  }

  /** Verifies that an appender resumed from a saved state continues the same tree. */
  @Test
  void should_resume_from_saved_state() {
    LogAppender first = new LogAppender();
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      leaves.add(MerkleHash.leafHash(new byte[] {(byte) i, (byte) (i >> 8)}));
    }
    leaves.subList(0, 137).forEach(first::append);
    LogAppender resumed = new LogAppender(CompactRange.fromBytes(first.state().toBytes()));
    leaves.subList(137, 300).forEach(resumed::append);
    InMemoryTree reference = new InMemoryTree();
    leaves.forEach(reference::append);
    assertThat(resumed.size()).isEqualTo(300);
    assertThat(resumed.root()).isEqualTo(reference.root());
  }
}
