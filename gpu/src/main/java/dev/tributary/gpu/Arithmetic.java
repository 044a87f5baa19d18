package dev.tributary.gpu;

/** An element-wise arithmetic operation on two float or double columns. */
public enum Arithmetic {
  /** {@code a + b}. */
  ADD("add"),
  /** {@code a - b}. */
  SUB("sub"),
  /** {@code a * b}. */
  MUL("mul"),
  /** {@code a / b} (IEEE 754: division by zero gives an infinity or NaN). */
  DIV("div");

  private final String kernel;

  Arithmetic(String kernel) {
    this.kernel = kernel;
  }

  /** The PTX kernel's name for elements of {@code bytes} bytes (4: float, 8: double). */
  String kernel(int bytes) {
    return kernel + (bytes == 4 ? "_f32" : "_f64");
  }

  float apply(float x, float y) {
    return switch (this) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
    };
  }

  double apply(double x, double y) {
    return switch (this) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
    };
  }
}
