/** Runnable sample programs; README.md names the command that runs the main one. */
package dev.tributary.samples;
