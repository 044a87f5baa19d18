package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

/**
 * The files of one text read share one schema (issue 10, items 2 and 4 for CSV and JSON lines):
 * a column empty in one file or block takes the type others give it, and files whose types
 * disagree are refused naming both.
 */
class TextFileSchemasTest extends ArenaTestSupport {
  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  /** Every block's schema type of {@code column}, and all of its values, blocks closed. */
  private List<Object> read(TextSource source, String column, List<ArrowType> types) {
    List<Object> values = new ArrayList<>();
    source.blocks(account).doOnNext(b -> {
      try (Block block = b) {
        types.add(block.schema().findField(column).getType());
        values.addAll(Arrays.asList(ColumnReader.values(block, column)));
      }
    }).blockLast();
    return values;
  }

  @Test
  void aColumnEmptyInOneFileTakesTheTypeAnotherFileGivesIt() throws IOException {
    write("a.csv", "id,x\n1,\n2,\n");
    write("b.csv", "id,x\n3,4.5\n");
    List<ArrowType> types = new ArrayList<>();
    List<Object> x = read(TextSource.csv(List.of(dir.toString())), "x", types);
    assertThat(x).containsExactly(null, null, 4.5);
    assertThat(types.get(types.size() - 1)).isEqualTo(
        new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));
    // The first file's block came before any value: null-typed, never guessed as utf8.
    assertThat(types.get(0)).isIn(ArrowType.Null.INSTANCE, types.get(types.size() - 1));
  }

  @Test
  void aColumnTypedInAnEarlierFileConformsTheLaterFilesEmptyBlocks() throws IOException {
    write("a.csv", "id,x\n1,2.5\n");
    write("b.csv", "id,x\n3,\n");
    List<ArrowType> types = new ArrayList<>();
    assertThat(read(TextSource.csv(List.of(dir.toString())), "x", types))
        .containsExactly(2.5, null);
    assertThat(types).doesNotContain(ArrowType.Null.INSTANCE).hasSize(2);
    assertThat(types.get(0)).isEqualTo(types.get(1));
  }

  @Test
  void aColumnEmptyInAFilesFirstBlockIsTypedByItsLaterBlocks() throws IOException {
    write("sparse.jsonl", "{\"id\":1,\"x\":null}\n{\"id\":2,\"x\":null}\n{\"id\":3,\"x\":7}\n");
    List<ArrowType> types = new ArrayList<>();
    List<Object> x = read(TextSource.jsonLines(List.of(dir.toString())).rowsPerBlock(2), "x",
        types);
    assertThat(x).containsExactly(null, null, 7L);
    assertThat(types).containsExactly(ArrowType.Null.INSTANCE, new ArrowType.Int(64, true));
  }

  @Test
  void emptyStringsAloneStillMakeAUtf8Column() throws IOException {
    write("e.csv", "id,s\n1,\"\"\n2,\n");
    List<ArrowType> types = new ArrayList<>();
    assertThat(read(TextSource.csv(List.of(dir.toString())), "s", types))
        .containsExactly("", null);
    assertThat(types).containsExactly(ArrowType.Utf8.INSTANCE);
  }

  @Test
  void filesWhoseTypesDisagreeAreRefusedNamingBothFiles() throws IOException {
    Path a = write("a.csv", "id,x\n1,2\n");
    Path b = write("b.csv", "id,x\nabc,3\n");
    assertThatThrownBy(() -> read(TextSource.csv(List.of(dir.toString())), "x",
        new ArrayList<>()))
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("'id'").hasMessageContaining(a.toString())
        .hasMessageContaining(b.toString()).hasMessageContaining("Int")
        .hasMessageContaining("Utf8");
  }

  @Test
  void filesWithTheSameColumnsInAnotherOrderAreMatchedByName() throws IOException {
    write("a.jsonl", "{\"n\":1,\"s\":null}\n");
    write("b.jsonl", "{\"s\":\"y\",\"n\":3}\n");
    List<ArrowType> types = new ArrayList<>();
    assertThat(read(TextSource.jsonLines(List.of(dir.toString())), "s", types))
        .containsExactly(null, "y");
    assertThat(types.get(1)).isEqualTo(ArrowType.Utf8.INSTANCE);
    write("c.csv", "id,x\n1,2.5\n");
    write("d.csv", "x,id\n3.5,2\n");
    assertThat(read(TextSource.csv(List.of(dir.toString())), "id", new ArrayList<>()))
        .containsExactly(1L, 2L);
  }

  @Test
  void filesWithDifferentColumnsAreRefusedNamingBoth() throws IOException {
    Path a = write("a.jsonl", "{\"id\":1,\"x\":2}\n");
    Path b = write("b.jsonl", "{\"id\":1,\"y\":2}\n");
    assertThatThrownBy(() -> read(TextSource.jsonLines(List.of(dir.toString())), "id",
        new ArrayList<>()))
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining(a.toString()).hasMessageContaining(b.toString());
  }
}
