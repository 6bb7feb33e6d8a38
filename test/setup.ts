// Matchers for aws-sdk-client-mock (toHaveReceivedCommandWith, …) in every test file.
import 'aws-sdk-client-mock-vitest/extend';
