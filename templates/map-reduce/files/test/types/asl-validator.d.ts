declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errorsText(separator?: string): string;
  }
  /** Options replace the defaults: always pass both. */
  export default function validator(definition: unknown, options: { checkPaths: boolean; checkArn: boolean }): ValidationResult;
}
