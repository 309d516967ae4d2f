/**
 * The loader's internals: HDF5 decoding ({@code hdf5}), epoch plans ({@code plan}), the slot
 * ring ({@code ring}) and the workers ({@code workers}). Nothing under this package is API; it
 * may change with any release. The API is {@code org.multitables4j} and
 * {@code org.multitables4j.reader}.
 */
package org.multitables4j.internal;
