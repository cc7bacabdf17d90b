/** The conference wire formats (`conferenceCodecs` and one definition per packet and payload). */
export * from './packets.js';
