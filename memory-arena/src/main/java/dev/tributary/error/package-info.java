/**
 * The root of Tributary's typed, unchecked exception hierarchy ({@link
 * dev.tributary.error.TributaryException}). It lives in the lowest module so every layer can
 * extend it; each module adds the subclasses for its own failures next to the code that raises
 * them.
 */
package dev.tributary.error;
