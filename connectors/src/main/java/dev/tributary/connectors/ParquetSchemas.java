package dev.tributary.connectors;

import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Maps flat Arrow schemas to Parquet schemas and back: int32, int64, float32, float64, boolean,
 * utf8 and binary columns, required or optional.
 */
final class ParquetSchemas {
  private ParquetSchemas() {}

  /** The Parquet schema a block schema is written with. */
  static MessageType toParquet(Schema schema) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (Field f : schema.getFields()) {
      Type.Repetition rep = f.isNullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
      ArrowType t = f.getType();
      PrimitiveType column;
      if (t instanceof ArrowType.Int i && i.getIsSigned() && i.getBitWidth() == 64) {
        column = Types.primitive(PrimitiveTypeName.INT64, rep).named(f.getName());
      } else if (t instanceof ArrowType.Int i && i.getIsSigned() && i.getBitWidth() == 32) {
        column = Types.primitive(PrimitiveTypeName.INT32, rep).named(f.getName());
      } else if (t instanceof ArrowType.FloatingPoint p
          && p.getPrecision() == FloatingPointPrecision.DOUBLE) {
        column = Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.getName());
      } else if (t instanceof ArrowType.FloatingPoint p
          && p.getPrecision() == FloatingPointPrecision.SINGLE) {
        column = Types.primitive(PrimitiveTypeName.FLOAT, rep).named(f.getName());
      } else if (t instanceof ArrowType.Bool) {
        column = Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.getName());
      } else if (t instanceof ArrowType.Utf8) {
        column = Types.primitive(PrimitiveTypeName.BINARY, rep)
            .as(LogicalTypeAnnotation.stringType()).named(f.getName());
      } else if (t instanceof ArrowType.Binary) {
        column = Types.primitive(PrimitiveTypeName.BINARY, rep).named(f.getName());
      } else {
        throw new ColumnException(f.getName(), "type " + t + " cannot be written to Parquet"
            + " yet; supported: int32, int64, float32, float64, boolean, utf8, binary");
      }
      message.addField(column);
    }
    return message.named("tributary");
  }

  /** The block schema a Parquet schema is read as (flat primitive columns only). */
  static Schema toArrow(MessageType message, String file) {
    List<Field> fields = new ArrayList<>();
    for (Type type : message.getFields()) {
      if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)) {
        throw new ColumnException(type.getName(), "in " + file + " is nested or repeated;"
            + " only flat primitive columns are read yet");
      }
      PrimitiveType p = type.asPrimitiveType();
      boolean nullable = !p.isRepetition(Type.Repetition.REQUIRED);
      ArrowType arrow = switch (p.getPrimitiveTypeName()) {
        case INT64 -> new ArrowType.Int(64, true);
        case INT32 -> new ArrowType.Int(32, true);
        case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
        case BOOLEAN -> ArrowType.Bool.INSTANCE;
        case BINARY -> p.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            ? ArrowType.Utf8.INSTANCE : ArrowType.Binary.INSTANCE;
        default -> throw new ColumnException(p.getName(), "in " + file + " has Parquet type "
            + p.getPrimitiveTypeName() + ", not readable yet");
      };
      fields.add(new Field(p.getName(),
          nullable ? FieldType.nullable(arrow) : FieldType.notNullable(arrow), null));
    }
    return new Schema(fields);
  }
}
