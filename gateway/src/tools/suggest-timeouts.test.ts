import { describe, expect, it } from 'vitest';
import { quantile, suggestTimeouts } from './suggest-timeouts.js';

const METRICS = `# HELP http_client_request_duration_seconds Gateway to subgraph HTTP attempts, seconds
# TYPE http_client_request_duration_seconds histogram
http_client_request_duration_seconds_bucket{le="0.005",subgraph="menu",http_response_status_code="200"} 900
http_client_request_duration_seconds_bucket{le="0.01",subgraph="menu",http_response_status_code="200"} 990
http_client_request_duration_seconds_bucket{le="0.05",subgraph="menu",http_response_status_code="200"} 1000
http_client_request_duration_seconds_bucket{le="+Inf",subgraph="menu",http_response_status_code="200"} 1000
http_client_request_duration_seconds_sum{subgraph="menu",http_response_status_code="200"} 4
http_client_request_duration_seconds_count{subgraph="menu",http_response_status_code="200"} 1000
http_client_request_duration_seconds_bucket{le="0.005",subgraph="menu",http_response_status_code="error"} 0
http_client_request_duration_seconds_bucket{le="+Inf",subgraph="menu",http_response_status_code="error"} 50
http_client_request_duration_seconds_sum{subgraph="menu",http_response_status_code="error"} 50
http_client_request_duration_seconds_count{subgraph="menu",http_response_status_code="error"} 50
`;

describe('suggestTimeouts', () => {
  it('gives p999 plus mean from the answered attempts only, ignoring timeouts and failures', () => {
    const [menu] = suggestTimeouts(METRICS);
    expect(menu).toMatchObject({ subgraph: 'menu', count: 1000 });
    expect(menu!.meanMs).toBeCloseTo(4, 6);
    // rank 999 of 1000 lies in the 10–50 ms bucket, 9 of its 10 observations in: 10 + 40 * 0.9
    expect(menu!.p999Ms).toBeCloseTo(46, 6);
    expect(menu!.suggestedTimeoutMs).toBe(50);
  });

  it('interpolates a quantile inside its bucket like histogram_quantile', () => {
    const histogram = { buckets: new Map([[0.01, 50], [0.02, 100], [Infinity, 100]]), sum: 1, count: 100 };
    expect(quantile(histogram, 0.5)).toBeCloseTo(0.01, 9);
    expect(quantile(histogram, 0.75)).toBeCloseTo(0.015, 9);
  });
});
