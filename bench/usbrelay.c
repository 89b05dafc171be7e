/*
 * The reference for kvmtool's start-up benchmark: the smallest C program that does what the C tools these relay
 * boards are used with do for "usbrelay CH on|off". It finds the first LCUS HID relay board (5131:2007) by trying
 * /dev/hidraw0, 1, ... in turn (open read-write, HIDIOCGRAWINFO), then opens it again and writes the board's
 * 4-byte command: 0xA0, channel, state (1 on, 0 off), and their sum as a checksum. It prints nothing and exits 0
 * whether or not a board was found, as those tools do, so that the benchmark measures start-up and discovery.
 *
 *   cc -O2 -o usbrelay bench/usbrelay.c && ./usbrelay 1 on
 */
#include <fcntl.h>
#include <linux/hidraw.h>
#include <linux/input.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int open_node(int index)
{
	char path[32];
	snprintf(path, sizeof path, "/dev/hidraw%d", index);
	return open(path, O_RDWR | O_NONBLOCK);
}

/* The index of the first hidraw node that is an LCUS board; -1 at the first node that is missing or mute. */
static int find_board(void)
{
	for (int index = 0;; index++) {
		int fd = open_node(index);
		if (fd < 0)
			return -1;
		struct hidraw_devinfo info;
		int ok = ioctl(fd, HIDIOCGRAWINFO, &info) >= 0;
		close(fd);
		if (!ok)
			return -1;
		if (info.bustype == BUS_USB && (uint16_t)info.vendor == 0x5131 && (uint16_t)info.product == 0x2007)
			return index;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0)) {
		fprintf(stderr, "usage: usbrelay CHANNEL on|off\n");
		return 2;
	}
	uint8_t channel = (uint8_t)atoi(argv[1]);
	uint8_t state = strcmp(argv[2], "on") == 0;
	int index = find_board();
	if (index < 0)
		return 0;
	int fd = open_node(index);
	if (fd < 0)
		return 0;
	uint8_t frame[4] = { 0xA0, channel, state, (uint8_t)(0xA0 + channel + state) };
	ssize_t written = write(fd, frame, sizeof frame);
	(void)written;
	close(fd);
	return 0;
}
