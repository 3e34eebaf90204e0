/** Secret names look like environment variables, so journeys can reference them unambiguously. */
export const secretNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
