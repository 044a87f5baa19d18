package dev.tributary.connectors;

import java.nio.file.Path;
import java.util.List;

/**
 * What a write produced.
 *
 * @param files the files written, in order, each complete (renamed from a temporary name)
 * @param rows rows written
 * @param bytes bytes on disk across the files
 */
public record WriteSummary(List<Path> files, long rows, long bytes) {}
