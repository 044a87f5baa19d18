package dev.tributary.connectors;

import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The one schema the blocks of a multi-file read share, when each file's types are inferred on
 * its own: a column null throughout some blocks (Arrow's null type) takes the type other blocks
 * give it, and blocks are conformed to the schema known so far; a file with the same columns in
 * another order is matched by name; files that disagree otherwise are refused naming the column,
 * both files and both types. One instance per read (not thread-safe: a read's blocks arrive one
 * at a time).
 */
final class FileSchemas {
  private Schema known;
  /** For each column of {@code known}, the file that gave it its type (or first had it). */
  private final List<Path> typedBy = new ArrayList<>();

  /**
   * {@code block}, read from {@code file}, in the schema shared so far (a new block in {@code
   * account} when it must change); consumes {@code block}, which is released and refused when it
   * cannot share it.
   *
   * @throws ColumnException if a column's type, or the columns, differ from an earlier file's
   */
  Block accept(Path file, Block block, Account account) {
    Block in = block;
    try {
      Schema own = in.schema();
      if (known == null) {
        known = own;
        own.getFields().forEach(f -> typedBy.add(file));
        return in.retain();
      }
      if (!own.getFields().equals(known.getFields())) {
        List<String> names = names(known);
        List<String> ownNames = names(own);
        if (!ownNames.equals(names) && ownNames.size() == names.size()
            && ownNames.containsAll(names)) {
          // The same columns in another order (JSON objects, CSV headers): matched by name.
          in = BlockColumns.project(in, names, account);
          own = in.schema();
        }
        known = unify(file, own);
      }
      return Schemas.conform(in, known, account);
    } finally {
      in.release();
    }
  }

  private static List<String> names(Schema schema) {
    return schema.getFields().stream().map(Field::getName).toList();
  }

  private Schema unify(Path file, Schema own) {
    List<Field> a = known.getFields();
    List<Field> b = own.getFields();
    List<String> names = names(known);
    List<String> ownNames = names(own);
    if (!names.equals(ownNames)) {
      String column = firstDifference(names, ownNames);
      throw new ColumnException(column, "the files of one read have different columns: "
          + names + " in " + typedBy.get(0) + ", " + ownNames + " in " + file
          + "; read them separately, or with a schema");
    }
    List<Field> fields = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      Field f;
      try {
        f = Schemas.unify(new Schema(List.of(a.get(i))), new Schema(List.of(b.get(i))),
            "reading " + file).getFields().get(0);
      } catch (SchemaMismatchException e) {
        throw new ColumnException(a.get(i).getName(), "is " + a.get(i).getType() + " in "
            + typedBy.get(i) + " but " + b.get(i).getType() + " in " + file
            + " (types inferred per file); read with a schema giving its type");
      }
      if (!f.getType().equals(a.get(i).getType())) {
        typedBy.set(i, file);
      }
      fields.add(f);
    }
    return new Schema(fields);
  }

  private static String firstDifference(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!a.get(i).equals(b.get(i))) {
        return a.get(i);
      }
    }
    return a.size() > b.size() ? a.get(b.size()) : b.get(a.size());
  }
}
