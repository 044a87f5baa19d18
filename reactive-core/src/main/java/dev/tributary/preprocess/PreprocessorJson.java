package dev.tributary.preprocess;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/**
 * Preprocessors to and from JSON with Jackson: their private fields are the saved state, a
 * {@code type} property names the class.
 */
final class PreprocessorJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
      .setVisibility(PropertyAccessor.CREATOR, Visibility.ANY);

  private PreprocessorJson() {}

  static String write(Preprocessor p) {
    try {
      return MAPPER.writerFor(Preprocessor.class).writeValueAsString(p);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Preprocessor read(String json) {
    try {
      return MAPPER.readValue(json, Preprocessor.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a saved preprocessor: " + e.getOriginalMessage(),
          e);
    }
  }
}
