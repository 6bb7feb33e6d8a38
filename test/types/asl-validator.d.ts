// asl-validator ships no type declarations; this is the part of its API the harness uses.
declare module 'asl-validator' {
  interface AslValidatorOptions {
    checkPaths: boolean;
    checkArn: boolean;
  }
  interface AslValidatorResult {
    isValid: boolean;
    errorsText: (separator?: string) => string;
  }
  export default function validator(definition: unknown, options?: AslValidatorOptions): AslValidatorResult;
}
