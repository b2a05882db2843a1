package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPUMeter measures the CPU used between Start and Stop by this process, by the server
// (through process_cpu_seconds_total on its /metrics) and by the whole machine (Linux
// /proc/stat), so that a run disturbed by other work shows it.
type CPUMeter struct {
	c                             *Client
	wall                          time.Time
	client, server, machine       time.Duration
	clientOK, serverOK, machineOK bool
}

// CPUUsage is the average number of CPUs busy during a measurement; a negative value is unknown.
type CPUUsage struct {
	Wall    time.Duration // how long the measurement took
	Client  float64       // this process
	Server  float64       // the server process
	Machine float64       // every process on this machine
}

// PerCall is the CPU time of the client and the server (when known) per call of n calls made
// during the measurement; 0 when unknown.
func (u CPUUsage) PerCall(n int) time.Duration {
	if u.Client < 0 || n <= 0 {
		return 0
	}
	return time.Duration((u.Client + max(u.Server, 0)) * float64(u.Wall) / float64(n))
}

// Others is what the machine spent outside the client and the server (counted as 0 when
// unknown): near 0 when nothing else disturbed the run; negative when unknown.
func (u CPUUsage) Others() float64 {
	if u.Client < 0 || u.Machine < 0 {
		return -1
	}
	return max(u.Machine-u.Client-max(u.Server, 0), 0)
}

// StartCPU begins a measurement; c may be nil to skip the server.
func StartCPU(ctx context.Context, c *Client) *CPUMeter {
	m := &CPUMeter{c: c}
	m.client, m.clientOK = processCPU()
	m.machine, m.machineOK = machineCPU()
	if c != nil {
		m.server, m.serverOK = c.serverCPU(ctx)
	}
	m.wall = time.Now()
	return m
}

// Stop ends the measurement.
func (m *CPUMeter) Stop(ctx context.Context) CPUUsage {
	u := CPUUsage{Wall: time.Since(m.wall), Client: -1, Server: -1, Machine: -1}
	wall := u.Wall.Seconds()
	if c, ok := processCPU(); ok && m.clientOK && wall > 0 {
		u.Client = (c - m.client).Seconds() / wall
	}
	if c, ok := machineCPU(); ok && m.machineOK && wall > 0 {
		u.Machine = (c - m.machine).Seconds() / wall
	}
	if m.serverOK {
		if s, ok := m.c.serverCPU(ctx); ok && wall > 0 {
			u.Server = (s - m.server).Seconds() / wall
		}
	}
	return u
}

// serverCPU reads process_cpu_seconds_total from the server's /metrics.
func (c *Client) serverCPU(ctx context.Context) (time.Duration, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/metrics", nil)
	if err != nil {
		return 0, false
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, false
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return 0, false
	}
	return metricSeconds(buf.Bytes(), "process_cpu_seconds_total")
}

// metricSeconds finds an unlabelled sample of name in Prometheus text and returns it as a duration.
func metricSeconds(text []byte, name string) (time.Duration, bool) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	return 0, false
}

// machineCPU returns the busy CPU time of the whole machine since boot from /proc/stat
// (user, nice, system, irq, softirq, steal), where it exists.
func machineCPU() (time.Duration, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, true
}

// userHZ is the unit of /proc/stat (USER_HZ), 100 on every Linux architecture Go supports.
const userHZ = 100
