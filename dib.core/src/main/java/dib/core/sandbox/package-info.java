// SPDX-License-Identifier: Apache-2.0
/**
 * The isolation of a build: a private mount namespace and PID namespace held by a process
 * that dies with the JVM, so that a build killed at any moment leaves no mount, loop
 * device or process behind.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.sandbox;
