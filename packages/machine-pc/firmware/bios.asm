; Backplane BIOS: the built-in PC/AT firmware of @backplane/machine-pc.
;
; Runs on the emulated CPU (8086 instruction set, so every machine type can run it) and drives
; the emulated chips only through their ports, DMA and IRQs, as any PC BIOS does:
;   8259A PIC pair, 8254 PIT (18.2 Hz tick), 8042 keyboard controller, MC146818 RTC/CMOS,
;   8237A DMA (floppy on channel 2), 82077AA floppy controller, ATA disks on the primary
;   channel, an ATAPI CD-ROM drive at the secondary channel's master position, 16550A UART
;   (COM1), the text buffer at B800:0000 with a 6845-style CRTC cursor.
;
; Services: INT 10h (text), 11h, 12h, 13h (floppy and hard disk, CHS and the LBA extensions;
; the CD-ROM as drive E0h: 41h, 42h, 48h, 4Bh with 2048-byte blocks), 14h, 15h (basic), 16h,
; 17h, 18h, 19h (boot floppy then hard disk, or the CMOS boot order; CD-ROM: El Torito
; no-emulation images), 1Ah (ticks, RTC time and date).
;
; Configuration comes from CMOS, as on real PCs: 0x10 floppy types, 0x15/0x16 base memory,
; 0x30/0x31 extended memory, 0x3D (and 0x38 bits 4-7) boot order in QEMU's encoding
; (1 floppy, 2 hard disk, 3 CD-ROM), and one Backplane byte: 0x5F bit 0 = mirror the screen's
; teletype output to COM1.
;
; Build: nasm -f bin -o bios.bin bios.asm (tools/scripts/build-bios.sh), 64 KiB at F0000.

cpu 8086
bits 16
org 0

%define BDA             0x40
%define EBDA_SEG        0x9FC0          ; top 1 KiB of conventional memory
%define STACK_TOP       0x7000

; BIOS data area offsets (segment 0x40)
%define BDA_COM1        0x00
%define BDA_EBDA        0x0E
%define BDA_EQUIP       0x10
%define BDA_MEMSIZE     0x13
%define BDA_KBFLAGS     0x17
%define BDA_KBHEAD      0x1A
%define BDA_KBTAIL      0x1C
%define BDA_KBBUF       0x1E
%define BDA_KBBUF_END   0x3E
%define BDA_FDRECAL     0x3E            ; bit 7: floppy IRQ seen
%define BDA_FDMOTOR     0x3F
%define BDA_FDTIMEOUT   0x40
%define BDA_FDSTATUS    0x41
%define BDA_FDRESULT    0x42            ; 7 bytes of controller results
%define BDA_VMODE       0x49
%define BDA_VCOLS       0x4A
%define BDA_VPAGESIZE   0x4C
%define BDA_VPAGESTART  0x4E
%define BDA_CURSOR      0x50            ; 8 pages x (col, row)
%define BDA_CURSHAPE    0x60
%define BDA_VPAGE       0x62
%define BDA_CRTC        0x63
%define BDA_TICKS       0x6C
%define BDA_MIDNIGHT    0x70
%define BDA_HDSTATUS    0x74
%define BDA_HDCOUNT     0x75
%define BDA_KBSTART     0x80
%define BDA_KBEND       0x82
%define BDA_VROWS       0x84

; EBDA layout (segment EBDA_SEG)
%define EB_SIZE         0x00            ; KiB (1)
%define EB_FLAGS        0x10            ; bit 0: mirror teletype to COM1
%define EB_FDPT0        0x20            ; INT 41h table, hard disk 0
%define EB_FDPT1        0x30            ; INT 46h table, hard disk 1
%define EB_HD           0x40            ; per hard disk (2 x 16 bytes): see HD_*
%define EB_FDCYL        0x60            ; current cylinder per floppy drive (4 bytes)
%define EB_FDCAL        0x64            ; bit n: drive n calibrated
%define EB_FDRATE       0x65            ; data rate that read drive 0 / 1 (2 bytes)
%define EB_FDLAST       0x67            ; last INT 13h floppy status
%define EB_HDLAST       0x68            ; last INT 13h hard disk status
%define EB_DAP          0x70            ; scratch LBA (4 words) for CHS translation
%define EB_CD           0x80            ; byte: 1 when an ATAPI CD-ROM drive answered at POST
%define EB_CDLAST       0x81            ; last INT 13h status of drive E0h
%define EB_CDBOOT       0x82            ; byte: 1 after a no-emulation boot from the CD
%define EB_CDMEDIA      0x83            ; boot media type of the entry booted
%define EB_CDRBA        0x84            ; dword: the boot image's first 2048-byte block
%define EB_CDSEG        0x88            ; word: its load segment
%define EB_CDCOUNT      0x8A            ; word: virtual 512-byte sectors loaded
%define EB_CDPKT        0x90            ; 12 bytes: the command packet
%define EB_CDRS         0x9C            ; 12 bytes: the REQUEST SENSE packet
%define EB_CDSENSE      0xA8            ; 18 bytes: sense data, READ CAPACITY data
%define EB_CDSKIP       0xBA            ; word: data words cd_packet drops before storing (EB_CDPKT only)
%define EB_CDEMU        0xBC            ; byte: 1 while drive 00h is an emulated diskette on the CD
%define EB_CDSPT        0xBD            ; byte: its sectors per track (15, 18, 36)

; per-hard-disk record (16 bytes)
%define HD_PRESENT      0               ; byte: 1 present
%define HD_SELECT       1               ; byte: 0xE0 master, 0xF0 slave (LBA bit set)
%define HD_CYLS         2               ; word: BIOS (translated) cylinders
%define HD_HEADS        4               ; word: BIOS heads
%define HD_SPT          6               ; word: BIOS sectors per track
%define HD_TOTAL        8               ; dword: LBA28 capacity in sectors

%define PORT_DEBUG      0xE9
%define COM1            0x3F8
%define CRTC_INDEX      0x3D4
%define FDC_DOR         0x3F2
%define FDC_MSR         0x3F4
%define FDC_FIFO        0x3F5
%define FDC_CCR         0x3F7
%define ATA_DATA        0x1F0
%define ATA_STATUS      0x1F7
%define ATA_CTRL        0x3F6
%define CD_DATA         0x170           ; the CD-ROM: ATAPI, master of the secondary channel
%define CD_ERROR        0x171           ; read: error (sense key in bits 7-4); write: features
%define CD_BCL          0x174           ; byte count (LBA mid / high)
%define CD_DEVICE       0x176
%define CD_STATUS       0x177
%define CD_CTRL         0x376
%define CD_DRIVE        0xE0            ; its INT 13h drive number (as SeaBIOS and the Bochs BIOS)
%define CD_LOAD_MIN     0x0700          ; lowest boot image load segment: the stack is below 0:7000

; ---------------------------------------------------------------------------------------------
; POST
; ---------------------------------------------------------------------------------------------
post:
        cli
        cld
        xor     ax, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        mov     al, 0x01
        out     0x80, al

        ; Interrupt vectors: software interrupts to a bare IRET, hardware IRQs to handlers that
        ; acknowledge the PIC, then the services this BIOS provides.
        xor     di, di
        mov     es, di
        mov     cx, 256
.ivt:   mov     ax, int_dummy
        stosw
        mov     ax, cs
        stosw
        loop    .ivt
        mov     di, 0x08 * 4
        mov     cx, 8
.ivtm:  mov     ax, irq_master_default
        stosw
        mov     ax, cs
        stosw
        loop    .ivtm
        mov     di, 0x70 * 4
        mov     cx, 8
.ivts:  mov     ax, irq_slave_default
        stosw
        mov     ax, cs
        stosw
        loop    .ivts
        mov     si, vector_table
.vt:    cs lodsw                        ; vector number, 0xFFFF ends
        cmp     ax, 0xFFFF
        je      .vtdone
        mov     di, ax
        shl     di, 1
        shl     di, 1
        cs lodsw
        stosw
        mov     ax, cs
        stosw
        jmp     .vt
.vtdone:

        ; BIOS data area: cleared, then filled in as the hardware is set up.
        mov     ax, BDA
        mov     ds, ax
        mov     es, ax
        xor     di, di
        xor     ax, ax
        mov     cx, 128
        rep     stosw
        mov     word [BDA_KBHEAD], BDA_KBBUF
        mov     word [BDA_KBTAIL], BDA_KBBUF
        mov     word [BDA_KBSTART], BDA_KBBUF
        mov     word [BDA_KBEND], BDA_KBBUF_END
        mov     word [BDA_EBDA], EBDA_SEG

        mov     al, 0x02
        out     0x80, al
        call    init_pic
        call    init_pit
        call    init_dma
        mov     al, 0x03
        out     0x80, al
        call    init_memory
        call    init_ebda
        call    init_serial
        call    init_video
        mov     si, msg_banner
        call    print_str
        mov     al, 0x04
        out     0x80, al
        call    init_keyboard
        sti                             ; the tick, keyboard and disks run on interrupts from here
        mov     al, 0x05
        out     0x80, al
        call    init_floppy
        mov     al, 0x06
        out     0x80, al
        call    init_hard_disks
        call    init_cdrom
        call    print_memory
        mov     al, 0x07
        out     0x80, al
        int     0x19
        ; INT 19h returns only if a boot sector returned to it: try again through INT 18h.
        int     0x18

; ---- 8259A pair: IRQ 0-7 at vectors 08h-0Fh, IRQ 8-15 at 70h-77h, slave on IRQ 2 -----------
init_pic:
        mov     al, 0x11                ; ICW1: edge, cascade, ICW4 needed
        out     0x20, al
        out     0xA0, al
        mov     al, 0x08                ; ICW2: vector bases
        out     0x21, al
        mov     al, 0x70
        out     0xA1, al
        mov     al, 0x04                ; ICW3: slave on master input 2
        out     0x21, al
        mov     al, 0x02                ; ICW3: slave id 2
        out     0xA1, al
        mov     al, 0x01                ; ICW4: 8086 mode, normal EOI
        out     0x21, al
        out     0xA1, al
        mov     al, 0xB8                ; unmask IRQ 0 (timer), 1 (keyboard), 2 (cascade), 6 (floppy)
        out     0x21, al
        mov     al, 0xFF                ; slave: all masked (the disks are polled)
        out     0xA1, al
        ret

; ---- 8254 counter 0: mode 3, count 65536 -> 1193182 / 65536 = 18.2 Hz on IRQ 0 --------------
init_pit:
        mov     al, 0x36
        out     0x43, al
        xor     al, al
        out     0x40, al
        out     0x40, al
        ret

; ---- 8237A pair: master clear, then the slave controller (channels 0-3) cascaded through
; channel 4 of the master (word channels 4-7), as the PC/AT wires them ---------------------------
init_dma:
        xor     al, al
        out     0x0D, al                ; master clear, 8-bit controller (all channels masked)
        out     0xDA, al                ; master clear, 16-bit controller
        out     0x08, al                ; command: enabled, normal timing, DREQ high, DACK low
        out     0xD0, al
        mov     al, 0xC0                ; channel 4: cascade mode
        out     0xD6, al
        xor     al, al
        out     0xD4, al                ; unmask channel 4
        ret

; ---- memory size from CMOS (0x15/0x16 base, 0x30/0x31 extended), 1 KiB kept for the EBDA ----
init_memory:
        mov     al, 0x16
        call    cmos_read
        mov     ah, al
        mov     al, 0x15
        call    cmos_read
        cmp     ax, 640
        jbe     .ok
        mov     ax, 640
.ok:    cmp     ax, 64
        jae     .ok2
        mov     ax, 640
.ok2:   dec     ax                      ; the EBDA
        mov     [BDA_MEMSIZE], ax
        mov     cl, 6
        shl     ax, cl
        mov     [BDA_EBDA], ax
        ; equipment word: 80x25 colour; floppies from CMOS 0x10; serial ports added below
        mov     word [BDA_EQUIP], 0x0020
        mov     al, 0x10
        call    cmos_read
        xor     cx, cx
        test    al, 0xF0
        jz      .nofa
        inc     cx
.nofa:  test    al, 0x0F
        jz      .nofb
        inc     cx
.nofb:  jcxz    .nofd
        dec     cx
        shl     cx, 1
        shl     cx, 1
        shl     cx, 1
        shl     cx, 1
        shl     cx, 1
        shl     cx, 1
        or      cx, 1
        or      [BDA_EQUIP], cx
.nofd:  ret

init_ebda:
        push    es
        mov     ax, [BDA_EBDA]
        mov     es, ax
        xor     di, di
        xor     ax, ax
        mov     cx, 512
        rep     stosw
        mov     byte [es:EB_SIZE], 1
        mov     al, 0x5F
        call    cmos_read
        and     al, 1
        mov     [es:EB_FLAGS], al
        pop     es
        ret

; ---- COM1: 16550A at 115200 8N1, FIFOs on; recorded in the BDA if it answers -------------------
init_serial:
        mov     dx, COM1 + 7            ; scratch register: present if it keeps a value
        mov     al, 0x5A
        out     dx, al
        in      al, dx
        cmp     al, 0x5A
        jne     .none
        mov     dx, COM1 + 3
        mov     al, 0x80                ; DLAB
        out     dx, al
        mov     dx, COM1
        mov     al, 1                   ; divisor 1: 115200 baud
        out     dx, al
        inc     dx
        xor     al, al
        out     dx, al
        mov     dx, COM1 + 3
        mov     al, 0x03                ; 8 bits, no parity, 1 stop
        out     dx, al
        mov     dx, COM1 + 2
        mov     al, 0x07                ; FIFO enable and reset
        out     dx, al
        mov     dx, COM1 + 4
        mov     al, 0x03                ; DTR, RTS
        out     dx, al
        mov     word [BDA_COM1], COM1
        or      word [BDA_EQUIP], 0x0200 ; one serial port
        ret
.none:  push    es
        mov     ax, [BDA_EBDA]
        mov     es, ax
        mov     byte [es:EB_FLAGS], 0
        pop     es
        ret

; ---- text mode 3 ----------------------------------------------------------------------------
init_video:
        mov     ax, 0x0003
        int     0x10
        ret

; ---- 8042: self test, command byte (IRQ 1, translation to set 1), keyboard reset ---------------
init_keyboard:
        mov     al, 0xAA                ; controller self test -> 0x55
        call    kbc_command
        call    kbc_read
        mov     al, 0x60                ; write command byte
        call    kbc_command
        mov     al, 0x45                ; translate, system flag, IRQ 1 enabled
        call    kbc_write
        mov     al, 0xAE                ; enable keyboard interface
        call    kbc_command
        mov     al, 0xFF                ; keyboard reset -> ACK, 0xAA (read with interrupts off)
        call    kbc_write
        call    kbc_read
        call    kbc_read
        mov     al, 0xF4                ; enable scanning -> ACK
        call    kbc_write
        call    kbc_read
        ret

kbc_wait_input:                          ; wait until the controller's input buffer is empty
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 0x02
        jz      .ok
        loop    .w
.ok:    pop     cx
        ret

kbc_command:
        push    ax
        call    kbc_wait_input
        pop     ax
        out     0x64, al
        ret

kbc_write:
        push    ax
        call    kbc_wait_input
        pop     ax
        out     0x60, al
        ret

kbc_read:                                ; AL = byte, or 0xFF after a timeout
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 0x01
        jnz     .ok
        loop    .w
        mov     al, 0xFF
        pop     cx
        ret
.ok:    in      al, 0x60
        pop     cx
        ret

print_memory:
        mov     ax, [BDA_MEMSIZE]
        inc     ax
        call    print_dec
        mov     si, msg_kb_base
        call    print_str
        mov     al, 0x31
        call    cmos_read
        mov     ah, al
        mov     al, 0x30
        call    cmos_read
        or      ax, ax
        jz      .done
        mov     si, msg_comma
        call    print_str
        call    print_dec
        mov     si, msg_kb_ext
        call    print_str
.done:  mov     si, msg_crlf
        jmp     print_str

; ---------------------------------------------------------------------------------------------
; Helpers
; ---------------------------------------------------------------------------------------------

; AL = CMOS register -> AL = value (NMI stays enabled)
cmos_read:
        and     al, 0x7F
        out     0x70, al
        in      al, 0x71
        ret

; AL = register, AH = value
cmos_write:
        and     al, 0x7F
        out     0x70, al
        mov     al, ah
        out     0x71, al
        ret

; CS:SI = NUL-terminated string -> screen (and COM1 when mirrored), and the debug port
print_str:
        push    ax
        push    si
.l:     cs lodsb
        or      al, al
        jz      .d
        call    bios_putc
        jmp     .l
.d:     pop     si
        pop     ax
        ret

; AL -> the debug port and the screen: every message of the BIOS's own goes through here
bios_putc:
        push    ax
        push    bx
        out     PORT_DEBUG, al
        mov     ah, 0x0E
        xor     bx, bx
        int     0x10
        pop     bx
        pop     ax
        ret

; AX = unsigned number -> decimal on screen
print_dec:
        push    ax
        push    bx
        push    cx
        push    dx
        mov     bx, 10
        xor     cx, cx
.d:     xor     dx, dx
        div     bx
        push    dx
        inc     cx
        or      ax, ax
        jnz     .d
.p:     pop     ax
        add     al, '0'
        call    bios_putc
        loop    .p
        pop     dx
        pop     cx
        pop     bx
        pop     ax
        ret

; AL -> COM1 (waits for THR empty, gives up after a while); also the debug port 0xE9
serial_out:
        push    dx
        push    cx
        push    ax
        mov     dx, COM1 + 5
        mov     cx, 0xFFFF
.w:     in      al, dx
        test    al, 0x20
        jnz     .r
        loop    .w
.r:     pop     ax
        mov     dx, COM1
        out     dx, al
        pop     cx
        pop     dx
        ret

; Wait for the next interrupt with interrupts enabled (the 18.2 Hz tick bounds every wait).
wait_irq:
        sti
        hlt
        ret

; ---------------------------------------------------------------------------------------------
; INT 10h: video (text mode 3: 80x25, 16 colours, 8 pages of 4 KiB at B800:0000)
; ---------------------------------------------------------------------------------------------
int10:
        sti
        cld
        push    ds
        push    si
        push    di
        push    es
        push    bp
        push    dx
        push    cx
        push    bx
        push    ax
        mov     bp, sp                  ; [bp] = ax, [bp+2] = bx, [bp+4] = cx, [bp+6] = dx,
                                        ; [bp+8] = bp, [bp+10] = es
        mov     si, BDA
        mov     ds, si
        push    word [BDA_VPAGESTART]   ; [bp-2]: the active page's start
        mov     si, 0xB800
        mov     es, si
        mov     al, ah
        cmp     al, 0x13
        ja      .done
        xor     ah, ah
        mov     si, ax
        shl     si, 1
        call    [cs:int10_table + si]
.done:  mov     sp, bp
        pop     ax
        pop     bx
        pop     cx
        pop     dx
        pop     bp
        pop     es
        pop     di
        pop     si
        pop     ds
        iret

int10_table:
        dw v_setmode, v_cursorshape, v_setcursor, v_getcursor, v_nop, v_setpage, v_scrollup
        dw v_scrolldown, v_readchar, v_writecharattr, v_writechar, v_nop, v_nop, v_nop
        dw v_teletype, v_getmode, v_nop, v_nop, v_alt, v_writestring

v_nop:  ret

v_setmode:                               ; AL = mode: every text mode becomes mode 3
        mov     al, [bp]
        and     al, 0x7F
        mov     byte [BDA_VMODE], 3
        mov     word [BDA_VCOLS], 80
        mov     word [BDA_VPAGESIZE], 4096
        mov     word [BDA_VPAGESTART], 0
        mov     byte [BDA_VROWS], 24
        mov     word [BDA_CRTC], CRTC_INDEX
        mov     byte [BDA_VPAGE], 0
        mov     word [BDA_CURSHAPE], 0x0607
        xor     di, di
        mov     cx, 8
.c:     mov     word [BDA_CURSOR + di], 0
        inc     di
        inc     di
        loop    .c
        test    byte [bp], 0x80         ; bit 7: keep the screen contents
        jnz     .keep
        xor     di, di
        mov     ax, 0x0720
        mov     cx, 0x4000
        rep     stosw
.keep:  mov     cx, 0x0607
        call    crtc_cursor_shape
        xor     ax, ax
        call    crtc_start
        jmp     crtc_update_cursor

v_cursorshape:                           ; CH = start line, CL = end line
        mov     cx, [bp + 4]
        mov     [BDA_CURSHAPE], cx
        jmp     crtc_cursor_shape

v_setcursor:                             ; BH = page, DH = row, DL = column
        mov     bl, [bp + 3]
        and     bx, 7
        shl     bx, 1
        mov     dx, [bp + 6]
        mov     [BDA_CURSOR + bx], dx
        jmp     crtc_update_cursor

v_getcursor:                             ; -> CX shape, DX position of page BH
        mov     bl, [bp + 3]
        and     bx, 7
        shl     bx, 1
        mov     dx, [BDA_CURSOR + bx]
        mov     [bp + 6], dx
        mov     cx, [BDA_CURSHAPE]
        mov     [bp + 4], cx
        mov     word [bp], 0
        ret

v_setpage:                               ; AL = page
        mov     al, [bp]
        and     al, 7
        mov     [BDA_VPAGE], al
        xor     ah, ah
        mov     cl, 12
        shl     ax, cl
        mov     [BDA_VPAGESTART], ax
        shr     ax, 1                   ; CRTC start address counts character cells
        call    crtc_start
        jmp     crtc_update_cursor

; Scroll a window of the active page: AL lines (0 = clear), BH fill attribute,
; CH,CL top-left row,col; DH,DL bottom-right row,col.
v_scrollup:
        xor     si, si
        jmp     scroll
v_scrolldown:
        mov     si, 1
scroll:
        mov     cx, [bp + 4]            ; CH,CL = top-left
        mov     dx, [bp + 6]            ; DH,DL = bottom-right
        cmp     dl, 79
        jbe     .c1
        mov     dl, 79
.c1:    cmp     dh, 24
        jbe     .c2
        mov     dh, 24
.c2:    cmp     ch, dh
        ja      .ret
        cmp     cl, dl
        ja      .ret
        mov     bl, dl
        sub     bl, cl
        inc     bl
        xor     bh, bh                  ; BX = window width in cells
        mov     al, dh
        sub     al, ch
        inc     al                      ; AL = window height
        mov     ah, [bp]                ; AH = lines to scroll (0 = all)
        or      ah, ah
        jz      .all
        cmp     ah, al
        jb      .some
.all:   mov     ah, al
.some:  sub     al, ah                  ; AL = rows that move, AH = rows cleared
        push    ds
        push    es
        pop     ds                      ; DS = ES = text buffer
        or      si, si
        jnz     .down
        mov     dl, ah                  ; up: row r <- row r + lines, from the top
        mov     dh, al
.uloop: or      dh, dh
        jz      .uclear
        call    cell_offset
        mov     si, di
        call    lines_bytes
        add     si, ax
        push    cx
        mov     cx, bx
        rep     movsw
        pop     cx
        inc     ch
        dec     dh
        jmp     .uloop
.uclear:
        pop     ds
        mov     al, dl                  ; clear the last `lines` rows (CH is there now)
        jmp     clear_rows
.down:  mov     ch, dh                  ; down: row r <- row r - lines, from the bottom
        mov     dl, ah
        mov     dh, al
.dloop: or      dh, dh
        jz      .dclear
        call    cell_offset
        mov     si, di
        call    lines_bytes
        sub     si, ax
        push    cx
        mov     cx, bx
        rep     movsw
        pop     cx
        dec     ch
        dec     dh
        jmp     .dloop
.dclear:
        pop     ds
        mov     al, dl                  ; clear the first `lines` rows of the window
        mov     ch, [bp + 5]
        jmp     clear_rows
.ret:   ret

; DL = lines -> AX = DL * 160 (bytes per text row)
lines_bytes:
        mov     al, dl
        mov     ah, 160
        mul     ah
        ret

; Clear AL rows of width BX starting at row CH, column CL, with attribute [bp+3] (BH).
clear_rows:
        or      al, al
        jz      .d
        push    ax
        call    cell_offset
        mov     ah, [bp + 3]
        mov     al, ' '
        push    cx
        mov     cx, bx
        rep     stosw
        pop     cx
        pop     ax
        inc     ch
        dec     al
        jmp     clear_rows
.d:     ret

; CH = row, CL = column -> DI = offset in the active page (its start is at [bp - 2] in the
; INT 10h frame: every video helper runs inside INT 10h)
cell_offset:
        push    ax
        mov     al, ch
        mov     ah, 80
        mul     ah
        add     al, cl
        adc     ah, 0
        shl     ax, 1
        add     ax, [bp - 2]
        mov     di, ax
        pop     ax
        ret

v_readchar:                              ; BH = page -> AH = attribute, AL = character
        call    cursor_of_page
        mov     ax, [es:di]
        mov     [bp], ax
        ret

v_writecharattr:                         ; AL char, BH page, BL attribute, CX count
        call    cursor_of_page
        mov     al, [bp]
        mov     ah, [bp + 2]
        mov     cx, [bp + 4]
        rep     stosw
        ret

v_writechar:                             ; AL char, BH page, CX count: attributes kept
        call    cursor_of_page
        mov     al, [bp]
        mov     cx, [bp + 4]
        jcxz    .d
.l:     stosb
        inc     di
        loop    .l
.d:     ret

; BH (from [bp+3]) = page -> DI = offset of that page's cursor, DX = cursor position
cursor_of_page:
        mov     bl, [bp + 3]
        and     bx, 7
        mov     ax, bx
        shl     bx, 1
        mov     dx, [BDA_CURSOR + bx]
        mov     cl, 12
        shl     ax, cl
        push    ax
        mov     al, dh
        mov     ah, 80
        mul     ah
        add     al, dl
        adc     ah, 0
        shl     ax, 1
        pop     di
        add     di, ax
        ret

v_teletype:                              ; AL = character (active page)
        mov     al, [bp]
        jmp     teletype

v_getmode:                               ; -> AL mode, AH columns, BH page
        mov     al, [BDA_VMODE]
        mov     ah, [BDA_VCOLS]
        mov     [bp], ax
        mov     al, [BDA_VPAGE]
        mov     [bp + 3], al
        ret

v_alt:                                   ; AH=12h BL=10h: EGA/VGA information
        cmp     byte [bp + 2], 0x10
        jne     .d
        mov     word [bp + 2], 0x0003   ; BH = 0 colour, BL = 3 (256 KiB)
        mov     word [bp + 4], 0x0009   ; feature bits, switch settings
.d:     ret

; AH=13h: AL mode (bit 0 move cursor, bit 1 string holds attributes), BL attribute,
; CX length, DH,DL position, ES:BP string. Written on the active page.
v_writestring:
        call    active_cursor_slot
        push    word [BDA_CURSOR + bx]  ; restored unless mode bit 0
        mov     dx, [bp + 6]
        mov     [BDA_CURSOR + bx], dx
        mov     cx, [bp + 4]
        mov     si, [bp + 8]            ; caller's BP: the string's offset
        jcxz    .end
.l:     push    ds
        mov     ds, [bp + 10]           ; caller's ES: the string's segment
        lodsb
        mov     ah, [bp + 2]            ; BL: attribute for every character
        test    byte [bp], 2
        jz      .na
        mov     ah, [si]                ; or the attribute after each character
        inc     si
.na:    pop     ds
        mov     bl, ah
        mov     bh, 1
        call    teletype_attr
        loop    .l
.end:   pop     dx
        test    byte [bp], 1
        jnz     .keep
        call    active_cursor_slot
        mov     [BDA_CURSOR + bx], dx
        call    crtc_update_cursor
.keep:  ret

; -> BX = offset of the active page's cursor in BDA_CURSOR
active_cursor_slot:
        mov     bl, [BDA_VPAGE]
        and     bx, 7
        shl     bx, 1
        ret

; AL = character: teletype on the active page (CR, LF, BS, BEL), keeping the cell's attribute
teletype:
        xor     bh, bh
; AL = character, BL = attribute, BH = 1 to set the attribute (0 keeps the cell's)
teletype_attr:
        push    ax
        push    bx
        push    cx
        push    dx
        push    si
        push    di
        push    es
        mov     dx, [BDA_EBDA]
        mov     es, dx
        test    byte [es:EB_FLAGS], 1
        jz      .nomirror
        call    serial_out
.nomirror:
        mov     dx, 0xB800
        mov     es, dx
        push    bx
        call    active_cursor_slot
        mov     dx, [BDA_CURSOR + bx]   ; DH = row, DL = column
        pop     bx
        cmp     al, 13
        je      .cr
        cmp     al, 10
        je      .lf
        cmp     al, 8
        je      .bs
        cmp     al, 7
        je      .done
        mov     cx, dx
        call    cell_offset
        mov     [es:di], al
        or      bh, bh
        jz      .keepattr
        mov     [es:di + 1], bl
.keepattr:
        inc     dl
        cmp     dl, 80
        jb      .store
        xor     dl, dl
        jmp     .lf
.cr:    xor     dl, dl
        jmp     .store
.bs:    or      dl, dl
        jz      .store
        dec     dl
        jmp     .store
.lf:    inc     dh
        cmp     dh, 25
        jb      .store
        mov     dh, 24                  ; scroll the active page up one line
        push    ds
        mov     di, [bp - 2]
        push    es
        pop     ds
        mov     si, di
        add     si, 160
        mov     cx, 80 * 24
        rep     movsw
        mov     ax, 0x0720
        mov     cx, 80
        rep     stosw
        pop     ds
.store: call    active_cursor_slot
        mov     [BDA_CURSOR + bx], dx
        call    crtc_update_cursor
.done:  pop     es
        pop     di
        pop     si
        pop     dx
        pop     cx
        pop     bx
        pop     ax
        ret

; CRTC: cursor position of the active page
crtc_update_cursor:
        push    ax
        push    bx
        push    dx
        mov     bl, [BDA_VPAGE]
        xor     bh, bh
        shl     bx, 1
        mov     dx, [BDA_CURSOR + bx]
        mov     al, dh
        mov     ah, 80
        mul     ah
        add     al, dl
        adc     ah, 0
        mov     bx, [BDA_VPAGESTART]
        shr     bx, 1
        add     bx, ax
        mov     dx, CRTC_INDEX
        mov     al, 0x0E
        mov     ah, bh
        out     dx, ax                  ; index then data (byte lanes: 0x3D4, 0x3D5)
        mov     al, 0x0F
        mov     ah, bl
        out     dx, ax
        pop     dx
        pop     bx
        pop     ax
        ret

; AX = start address (character cells)
crtc_start:
        push    dx
        push    bx
        mov     bx, ax
        mov     dx, CRTC_INDEX
        mov     al, 0x0C
        mov     ah, bh
        out     dx, ax
        mov     al, 0x0D
        mov     ah, bl
        out     dx, ax
        pop     bx
        pop     dx
        ret

; CX = cursor start/end lines
crtc_cursor_shape:
        push    dx
        mov     dx, CRTC_INDEX
        mov     al, 0x0A
        mov     ah, ch
        out     dx, ax
        mov     al, 0x0B
        mov     ah, cl
        out     dx, ax
        pop     dx
        ret

; ---------------------------------------------------------------------------------------------
; Hardware interrupts
; ---------------------------------------------------------------------------------------------
int_dummy:
        iret

irq_master_default:                      ; an IRQ nobody handles: acknowledge the master
        push    ax
        mov     al, 0x20
        out     0x20, al
        pop     ax
        iret

irq_slave_default:                       ; acknowledge both PICs
        push    ax
        mov     al, 0x20
        out     0xA0, al
        out     0x20, al
        pop     ax
        iret

; IRQ 0: the 18.2 Hz tick. Counts ticks (midnight at 0x1800B0), turns the floppy motor off
; when its timeout runs out, calls INT 1Ch.
int08:
        push    ax
        push    dx
        push    ds
        mov     ax, BDA
        mov     ds, ax
        add     word [BDA_TICKS], 1
        adc     word [BDA_TICKS + 2], 0
        cmp     word [BDA_TICKS + 2], 0x18
        jb      .motor
        cmp     word [BDA_TICKS], 0xB0
        jb      .motor
        mov     word [BDA_TICKS], 0
        mov     word [BDA_TICKS + 2], 0
        mov     byte [BDA_MIDNIGHT], 1
.motor: cmp     byte [BDA_FDTIMEOUT], 0
        je      .user
        dec     byte [BDA_FDTIMEOUT]
        jnz     .user
        and     byte [BDA_FDMOTOR], 0xF0
        mov     dx, FDC_DOR
        mov     al, 0x0C                ; controller enabled, DMA on, all motors off
        out     dx, al
.user:  int     0x1C
        mov     al, 0x20
        out     0x20, al
        pop     ds
        pop     dx
        pop     ax
        iret

; IRQ 6: the floppy controller finished a command
int0e:
        push    ax
        push    ds
        mov     ax, BDA
        mov     ds, ax
        or      byte [BDA_FDRECAL], 0x80
        mov     al, 0x20
        out     0x20, al
        pop     ds
        pop     ax
        iret

; IRQ 1: a scan code (set 1, translated by the 8042) -> the keyboard buffer
int09:
        push    ax
        push    bx
        push    cx
        push    si
        push    ds
        mov     ax, BDA
        mov     ds, ax
        in      al, 0x60
        mov     ah, 0x4F                ; keyboard intercept: CF clear = swallow the key
        stc
        int     0x15
        jnc     .eoi
        cmp     al, 0xE0                ; extended prefix: the next code says which key
        je      .eoi
        mov     ah, al
        and     ah, 0x7F                ; AH = key, AL bit 7 = release
        ; shift keys: 0x2A left shift, 0x36 right shift, 0x1D ctrl, 0x38 alt, 0x3A caps lock
        mov     bl, 0x02
        cmp     ah, 0x2A
        je      .shift
        mov     bl, 0x01
        cmp     ah, 0x36
        je      .shift
        mov     bl, 0x04
        cmp     ah, 0x1D
        je      .shift
        mov     bl, 0x08
        cmp     ah, 0x38
        je      .shift
        test    al, 0x80
        jnz     .eoi                    ; other releases are not buffered
        cmp     ah, 0x3A
        jne     .key
        xor     byte [BDA_KBFLAGS], 0x40
        jmp     .eoi
.shift: test    al, 0x80
        jnz     .release
        or      [BDA_KBFLAGS], bl
        jmp     .eoi
.release:
        not     bl
        and     [BDA_KBFLAGS], bl
        jmp     .eoi
.key:   xor     al, al                  ; ASCII 0 for keys without a character
        cmp     ah, 0x39
        ja      .store
        mov     bl, ah
        xor     bh, bh
        mov     si, scancode_normal
        test    byte [BDA_KBFLAGS], 0x03
        jz      .nos
        mov     si, scancode_shift
.nos:   mov     al, [cs:si + bx]
        test    byte [BDA_KBFLAGS], 0x40 ; caps lock swaps the case of letters
        jz      .noc
        mov     bl, al
        or      bl, 0x20
        cmp     bl, 'a'
        jb      .noc
        cmp     bl, 'z'
        ja      .noc
        xor     al, 0x20
.noc:   test    byte [BDA_KBFLAGS], 0x04 ; ctrl + letter -> 1..26
        jz      .store
        and     al, 0x1F
.store: mov     bx, [BDA_KBTAIL]
        mov     si, bx
        add     si, 2
        cmp     si, [BDA_KBEND]
        jb      .nowrap
        mov     si, [BDA_KBSTART]
.nowrap:
        cmp     si, [BDA_KBHEAD]
        je      .eoi                    ; buffer full: the key is dropped
        mov     [bx], ax
        mov     [BDA_KBTAIL], si
.eoi:   mov     al, 0x20
        out     0x20, al
        pop     ds
        pop     si
        pop     cx
        pop     bx
        pop     ax
        iret

; ---------------------------------------------------------------------------------------------
; Small services
; ---------------------------------------------------------------------------------------------
int11:                                   ; equipment list
        push    ds
        mov     ax, BDA
        mov     ds, ax
        mov     ax, [BDA_EQUIP]
        pop     ds
        iret

int12:                                   ; conventional memory in KiB
        push    ds
        mov     ax, BDA
        mov     ds, ax
        mov     ax, [BDA_MEMSIZE]
        pop     ds
        iret

int17:                                   ; no printer: "time-out" status
        mov     ah, 0x01
        iret

int18:                                   ; nothing to boot
        sti
        push    cs
        pop     ds
        mov     si, msg_noboot
        call    print_str
.halt:  hlt
        jmp     .halt

; INT 14h: serial port 0 (COM1) only
int14:
        sti
        push    dx
        push    cx
        or      dx, dx
        jnz     .fail
        cmp     ah, 0
        je      .status                 ; init: the port stays at 115200 8N1; report status
        cmp     ah, 1
        je      .send
        cmp     ah, 2
        je      .recv
        cmp     ah, 3
        je      .status
.fail:  mov     ah, 0x80
        jmp     .out
.send:  call    serial_out
        mov     dx, COM1 + 5
        in      al, dx
        mov     ah, al
        jmp     .out
.recv:  mov     dx, COM1 + 5
        mov     cx, 0xFFFF
.rw:    in      al, dx
        test    al, 1
        jnz     .rok
        loop    .rw
        mov     ah, 0x80                ; time-out
        jmp     .out
.rok:   mov     ah, al
        and     ah, 0x1E
        mov     dx, COM1
        in      al, dx
        jmp     .out
.status:
        mov     dx, COM1 + 5
        in      al, dx
        mov     ah, al
        inc     dx
        in      al, dx
.out:   pop     cx
        pop     dx
        iret

; INT 16h: keyboard
int16:
        sti
        push    bx
        push    ds
        mov     bx, BDA
        mov     ds, bx
        cmp     ah, 0x00
        je      .read
        cmp     ah, 0x10
        je      .read
        cmp     ah, 0x01
        je      .peek
        cmp     ah, 0x11
        je      .peek
        cmp     ah, 0x02
        je      .flags
        cmp     ah, 0x12
        je      .flags
        pop     ds
        pop     bx
        iret
.read:  mov     bx, [BDA_KBHEAD]
        cmp     bx, [BDA_KBTAIL]
        jne     .got
        hlt                             ; wait for the next key (or tick)
        jmp     .read
.got:   mov     ax, [bx]
        add     bx, 2
        cmp     bx, [BDA_KBEND]
        jb      .nw
        mov     bx, [BDA_KBSTART]
.nw:    mov     [BDA_KBHEAD], bx
        pop     ds
        pop     bx
        iret
.peek:  mov     bx, [BDA_KBHEAD]
        cmp     bx, [BDA_KBTAIL]
        je      .empty
        mov     ax, [bx]
        pop     ds
        pop     bx
        and     ax, ax                  ; ZF = 0: a key is waiting (AX never 0 for a key)
        retf    2
.empty: pop     ds
        pop     bx
        cmp     ax, ax                  ; ZF = 1
        retf    2
.flags: mov     al, [BDA_KBFLAGS]
        pop     ds
        pop     bx
        iret

; INT 1Ah: time of day
int1a:
        sti
        push    ds
        push    bx
        mov     bx, BDA
        mov     ds, bx
        cmp     ah, 0x00
        je      .getticks
        cmp     ah, 0x01
        je      .setticks
        cmp     ah, 0x02
        je      .gettime
        cmp     ah, 0x03
        je      .settime
        cmp     ah, 0x04
        je      .getdate
        cmp     ah, 0x05
        je      .setdate
        pop     bx
        pop     ds
        stc
        retf    2
.getticks:
        cli
        mov     dx, [BDA_TICKS]
        mov     cx, [BDA_TICKS + 2]
        mov     al, [BDA_MIDNIGHT]
        mov     byte [BDA_MIDNIGHT], 0
        sti
        jmp     .ok
.setticks:
        cli
        mov     [BDA_TICKS], dx
        mov     [BDA_TICKS + 2], cx
        mov     byte [BDA_MIDNIGHT], 0
        sti
        jmp     .ok
.gettime:
        call    rtc_wait_update
        mov     al, 0x04
        call    cmos_read
        mov     ch, al
        mov     al, 0x02
        call    cmos_read
        mov     cl, al
        mov     al, 0x00
        call    cmos_read
        mov     dh, al
        mov     al, 0x0B
        call    cmos_read
        and     al, 1
        mov     dl, al                  ; daylight saving bit
        jmp     .ok
.settime:
        call    rtc_wait_update
        mov     al, 0x04
        mov     ah, ch
        call    cmos_write
        mov     al, 0x02
        mov     ah, cl
        call    cmos_write
        mov     al, 0x00
        mov     ah, dh
        call    cmos_write
        jmp     .ok
.getdate:
        call    rtc_wait_update
        mov     al, 0x32
        call    cmos_read
        mov     ch, al
        mov     al, 0x09
        call    cmos_read
        mov     cl, al
        mov     al, 0x08
        call    cmos_read
        mov     dh, al
        mov     al, 0x07
        call    cmos_read
        mov     dl, al
        jmp     .ok
.setdate:
        call    rtc_wait_update
        mov     al, 0x32
        mov     ah, ch
        call    cmos_write
        mov     al, 0x09
        mov     ah, cl
        call    cmos_write
        mov     al, 0x08
        mov     ah, dh
        call    cmos_write
        mov     al, 0x07
        mov     ah, dl
        call    cmos_write
.ok:    pop     bx
        pop     ds
        clc
        retf    2

; Wait while the RTC's update-in-progress bit (register A bit 7) is set (bounded).
rtc_wait_update:
        push    ax
        push    cx
        mov     cx, 0xFFFF
.w:     mov     al, 0x0A
        call    cmos_read
        test    al, 0x80
        jz      .d
        loop    .w
.d:     pop     cx
        pop     ax
        ret

; INT 15h: system services (the basic ones)
int15:
        sti
        cmp     ah, 0x4F                ; keyboard intercept: keep the key (CF stays set)
        je      .keep
        cmp     ah, 0x88
        je      .extmem
        cmp     ah, 0xC0
        je      .config
        cmp     ah, 0x24
        je      .a20
        cmp     ah, 0x86
        je      .wait
        cmp     ah, 0x90
        je      .okah
        cmp     ah, 0x91
        je      .okah
        cmp     ax, 0xE801
        je      .e801
        mov     ah, 0x86                ; function not supported
.fail:  stc
        retf    2
.keep:  retf    2
.okah:  xor     ah, ah
        clc
        retf    2
.extmem:
        mov     al, 0x31
        call    cmos_read
        mov     ah, al
        mov     al, 0x30
        call    cmos_read
        clc
        retf    2
.e801:  mov     al, 0x31                ; AX = CX = KiB from 1 MiB to 16 MiB, BX = DX = 64 KiB blocks above
        call    cmos_read
        mov     ah, al
        mov     al, 0x30
        call    cmos_read
        cmp     ax, 15 * 1024
        jbe     .e1
        mov     ax, 15 * 1024
.e1:    mov     cx, ax
        xor     bx, bx
        xor     dx, dx
        clc
        retf    2
.config:
        push    cs
        pop     es
        mov     bx, config_table
        xor     ah, ah
        clc
        retf    2
.a20:   cmp     al, 3
        ja      .a20bad
        push    dx
        cmp     al, 2
        je      .a20status
        cmp     al, 3
        je      .a20support
        mov     ah, al                  ; 0 disable, 1 enable: port 92h bit 1
        in      al, 0x92
        and     al, 0xFC                ; never write bit 0 (reset)
        or      ah, ah
        jz      .a20w
        or      al, 0x02
.a20w:  out     0x92, al
        pop     dx
        xor     ah, ah
        clc
        retf    2
.a20status:
        in      al, 0x92
        shr     al, 1
        and     al, 1
        pop     dx
        xor     ah, ah
        clc
        retf    2
.a20support:
        mov     bx, 0x0002              ; port 92h
        pop     dx
        xor     ah, ah
        clc
        retf    2
.a20bad:
        mov     ah, 0x86
        stc
        retf    2
.wait:  ; CX:DX microseconds, in timer ticks of 54925 us, rounded up (at least one tick)
        push    ax
        push    bx
        push    cx
        push    dx
        push    ds
        mov     ax, dx
        mov     dx, cx
        mov     bx, 54925 >> 1          ; divide by 2 x 27462: keep the divisor in 16 bits
        shr     dx, 1
        rcr     ax, 1
        cmp     dx, bx
        jae     .long
        div     bx
        inc     ax                      ; AX = ticks to wait
        jmp     .w0
.long:  mov     ax, 0xFFFF
.w0:    mov     bx, BDA
        mov     ds, bx
        mov     bx, [BDA_TICKS]
.w1:    hlt
        mov     dx, [BDA_TICKS]
        sub     dx, bx
        cmp     dx, ax
        jb      .w1
        pop     ds
        pop     dx
        pop     cx
        pop     bx
        pop     ax
        xor     ah, ah
        clc
        retf    2

; ---------------------------------------------------------------------------------------------
; INT 13h: disks. DL < 80h: floppy drives (82077AA, DMA channel 2, IRQ 6);
; DL = 80h, 81h: ATA disks on the primary channel (polled PIO, LBA28);
; DL = E0h: the ATAPI CD-ROM (polled PIO packets, 2048-byte blocks; see cd_service);
; DL = 00h after a boot from a CD in diskette emulation: the emulated diskette (cdemu_service).
; Returns CF = 1 and AH = status on error, CF = 0 and AH = 0 on success.
; ---------------------------------------------------------------------------------------------
int13:
        sti
        cld
        push    ds
        push    es
        push    si
        push    di
        push    bp
        push    dx
        push    cx
        push    bx
        push    ax
        mov     bp, sp                  ; [bp]=ax [bp+2]=bx [bp+4]=cx [bp+6]=dx [bp+8]=bp
                                        ; [bp+10]=di [bp+12]=si [bp+14]=es [bp+16]=ds
        mov     si, BDA
        mov     ds, si
        test    dl, 0x80
        jnz     .hd
        or      dl, dl
        jnz     .fd
        push    es
        call    es_ebda
        cmp     byte [es:EB_CDEMU], 0
        pop     es
        je      .fd
        call    cdemu_service           ; drive 00h is a diskette emulated on the CD
        jmp     .ret
.fd:    call    floppy_service
        jmp     .ret
.hd:    cmp     dl, CD_DRIVE
        je      .cd
        call    hd_service
        jmp     .ret
.cd:    call    cd_service
.ret:   mov     [bp + 1], ah            ; caller's AH (flags untouched by mov and pop)
        pop     ax
        pop     bx
        pop     cx
        pop     dx
        pop     bp
        pop     di
        pop     si
        pop     es
        pop     ds
        retf    2

; ---- floppy ---------------------------------------------------------------------------------
; -> AH = result, CF = error. Records the status for AH=01h.
floppy_service:
        mov     ah, [bp + 1]
        cmp     ah, 0x01
        je      .status
        cmp     ah, 0x15
        je      .type
        mov     dl, [bp + 6]
        call    fd_drive_type           ; AL = CMOS type of drive DL (0 = none)
        or      al, al
        jnz     .exists
        mov     ah, 0x80                ; no such drive: "timeout, not ready"
        jmp     .done
.exists:
        mov     ah, [bp + 1]
        cmp     ah, 0x00
        je      .reset
        cmp     ah, 0x02
        je      .rw
        cmp     ah, 0x03
        je      .rw
        cmp     ah, 0x04
        je      .rw
        cmp     ah, 0x05
        je      .format
        cmp     ah, 0x08
        je      .params
        cmp     ah, 0x16
        je      .changed
        cmp     ah, 0x17
        je      .ok
        cmp     ah, 0x18
        je      .media
        mov     ah, 0x01                ; invalid function
        jmp     .done
.reset: call    fdc_reset
        jmp     .done
.rw:    call    fd_transfer
        jmp     .done
.format:
        call    fd_format
        jmp     .done
.params:
        call    fd_params
        jmp     .ok
.changed:
        mov     dx, FDC_CCR             ; digital input register: bit 7 = disk changed
        in      al, dx
        mov     ah, 0x06
        test    al, 0x80
        jnz     .done
.ok:    xor     ah, ah
.done:  mov     [BDA_FDSTATUS], ah
        or      ah, ah
        jz      .clc
        stc
        ret
.clc:   clc
        ret
.status:
        mov     ah, [BDA_FDSTATUS]
        or      ah, ah
        jz      .clc
        stc
        ret
.type:  mov     dl, [bp + 6]            ; AH = 0 no drive, 2 = floppy with change line
        call    fd_drive_type
        xor     ah, ah
        or      al, al
        jz      .clc
        mov     ah, 0x02
        clc
        ret
.media: push    cs                      ; AH=18h: accept, ES:DI = parameter table
        pop     ax
        mov     [bp + 14], ax
        mov     word [bp + 10], diskette_params
        xor     ah, ah
        jmp     .done

; DL = drive -> AL = CMOS drive type (1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M; 0 none)
fd_drive_type:
        cmp     dl, 1
        ja      .none
        mov     al, 0x10
        call    cmos_read
        or      dl, dl
        jnz     .b
        mov     cl, 4
        shr     al, cl
        ret
.b:     and     al, 0x0F
        ret
.none:  xor     al, al
        ret

; AH=08h: drive parameters
fd_params:
        mov     dl, [bp + 6]
        call    fd_drive_type
        mov     [bp + 2], al            ; BL = drive type, BH = 0
        mov     byte [bp + 3], 0
        xor     bx, bx
        mov     bl, al
        dec     bx
        shl     bx, 1
        mov     ax, [cs:fd_geometry + bx] ; AL = sectors per track, AH = max cylinder
        mov     [bp + 4], al            ; CL = max sector
        mov     [bp + 5], ah            ; CH = max cylinder
        mov     byte [bp + 7], 1        ; DH = max head
        mov     al, 0x10
        call    cmos_read
        xor     cl, cl
        test    al, 0xF0
        jz      .n1
        inc     cl
.n1:    test    al, 0x0F
        jz      .n2
        inc     cl
.n2:    mov     [bp + 6], cl            ; DL = number of drives
        push    cs
        pop     ax
        mov     [bp + 14], ax           ; ES:DI = diskette parameter table
        mov     word [bp + 10], diskette_params
        mov     word [bp], 0
        ret

; Reset the controller, take the four reset interrupts, SPECIFY; forget calibration.
fdc_reset:
        push    es
        mov     ax, [BDA_EBDA]
        mov     es, ax
        mov     byte [es:EB_FDCAL], 0
        pop     es
        and     byte [BDA_FDRECAL], 0x7F
        mov     dx, FDC_DOR
        mov     al, 0x08                ; reset asserted (bit 2 low), DMA gate on
        out     dx, al
        xor     dl, dl
        call    fd_dor                  ; reset released, motors as they were
        call    fd_wait_irq
        jc      .fail
        mov     cx, 4
.sense: mov     al, 0x08                ; SENSE INTERRUPT STATUS, once per drive
        call    fdc_out
        call    fdc_in
        call    fdc_in
        loop    .sense
        mov     dx, FDC_CCR
        xor     al, al                  ; 500 kbit/s
        out     dx, al
        mov     al, 0x03                ; SPECIFY: step rate / head unload, head load / DMA mode
        call    fdc_out
        mov     al, 0xDF
        call    fdc_out
        mov     al, 0x02
        call    fdc_out
        xor     ah, ah
        ret
.fail:  mov     ah, 0x80
        ret

; Wait for IRQ 6 (bounded by ~2 s of ticks). CF = timed out.
fd_wait_irq:
        push    ax
        push    bx
        mov     bx, [BDA_TICKS]
.w:     test    byte [BDA_FDRECAL], 0x80
        jnz     .ok
        hlt
        mov     ax, [BDA_TICKS]
        sub     ax, bx
        cmp     ax, 37
        jb      .w
        pop     bx
        pop     ax
        stc
        ret
.ok:    and     byte [BDA_FDRECAL], 0x7F
        pop     bx
        pop     ax
        clc
        ret

; AL -> controller FIFO once it asks for a byte (RQM = 1, DIO = 0)
fdc_out:
        push    dx
        push    cx
        push    ax
        mov     dx, FDC_MSR
        mov     cx, 0xFFFF
.w:     in      al, dx
        and     al, 0xC0
        cmp     al, 0x80
        je      .go
        loop    .w
.go:    pop     ax
        inc     dx
        out     dx, al
        pop     cx
        pop     dx
        ret

; controller FIFO -> AL once it offers a byte (RQM = 1, DIO = 1); AL = 0xFF on time-out
fdc_in:
        push    dx
        push    cx
        mov     dx, FDC_MSR
        mov     cx, 0xFFFF
.w:     in      al, dx
        and     al, 0xC0
        cmp     al, 0xC0
        je      .go
        loop    .w
        mov     al, 0xFF
        pop     cx
        pop     dx
        ret
.go:    inc     dx
        in      al, dx
        pop     cx
        pop     dx
        ret

; Turn on the motor of drive DL (and select it); the motor stays on while the tick counts down.
fd_motor_on:
        push    ax
        push    cx
        push    dx
        mov     byte [BDA_FDTIMEOUT], 0xFF
        mov     cl, dl
        mov     al, 1
        shl     al, cl
        or      [BDA_FDMOTOR], al       ; BDA 3Fh bits 0-3: motor on, per drive
        call    fd_dor                  ; DOR: motors, controller enabled, DMA gate, drive DL
        pop     dx
        pop     cx
        pop     ax
        ret

; AL = DOR value for drive DL: motor bits 4-7 from the BDA, not reset, DMA and IRQ enabled
fd_dor:
        push    cx
        mov     al, [BDA_FDMOTOR]
        and     al, 0x0F
        mov     cl, 4
        shl     al, cl
        or      al, 0x0C
        or      al, dl
        mov     dx, FDC_DOR
        out     dx, al
        pop     cx
        ret

fd_motor_timeout:
        mov     byte [BDA_FDTIMEOUT], 37
        ret

; Recalibrate drive DL if needed, then seek to cylinder CH with head DH. AH = status.
fd_seek:
        push    es
        push    bx
        mov     bx, [BDA_EBDA]
        mov     es, bx
        mov     bl, 1
        mov     cl, dl
        shl     bl, cl
        test    [es:EB_FDCAL], bl
        jnz     .seek
        mov     cx, 2                   ; an 80-track drive may need two (77 steps each)
.recal: push    cx
        mov     al, 0x07                ; RECALIBRATE
        call    fdc_out
        mov     al, dl
        call    fdc_out
        call    fd_wait_irq
        call    fd_sense
        pop     cx
        test    al, 0x10                ; ST0 equipment check: track 0 not reached yet
        jz      .recok
        loop    .recal
        mov     ah, 0x40                ; seek failed
        jmp     .out
.recok: or      [es:EB_FDCAL], bl
        xor     bh, bh
        mov     bl, dl
        mov     byte [es:EB_FDCYL + bx], 0
.seek:  mov     cx, [bp + 4]            ; CH = cylinder
        mov     al, 0x0F                ; SEEK
        call    fdc_out
        mov     al, [bp + 7]            ; head
        and     al, 1
        shl     al, 1
        shl     al, 1
        or      al, dl
        call    fdc_out
        mov     al, ch
        call    fdc_out
        call    fd_wait_irq
        jc      .timeout
        call    fd_sense
        test    al, 0xC0
        jnz     .fail
        cmp     ah, ch
        jne     .fail
        xor     ah, ah
        jmp     .out
.timeout:
        mov     ah, 0x80
        jmp     .out
.fail:  mov     ah, 0x40
.out:   pop     bx
        pop     es
        ret

; SENSE INTERRUPT STATUS -> AL = ST0, AH = present cylinder
fd_sense:
        push    bx
        mov     al, 0x08
        call    fdc_out
        call    fdc_in
        mov     bl, al
        call    fdc_in
        mov     ah, al
        mov     al, bl
        pop     bx
        ret

; Program DMA channel 2: AL = 8237 mode byte, CX = bytes, buffer ES:[caller's BX].
; CF = the buffer crosses a 64 KiB boundary (the 8237 cannot carry into the page register).
dma_setup:
        push    ax
        push    bx
        push    dx
        mov     bl, al
        mov     ax, es
        mov     dx, ax
        push    cx
        mov     cl, 4
        shl     ax, cl
        mov     cl, 12
        shr     dx, cl
        pop     cx
        add     ax, [bp + 2]
        adc     dl, 0                   ; DL:AX = physical address (page, offset)
        dec     cx                      ; the 8237 counts bytes - 1
        push    ax
        add     ax, cx
        pop     ax
        jc      .boundary
        push    ax
        mov     al, 0x06                ; mask channel 2
        out     0x0A, al
        out     0x0C, al                ; clear the byte-pointer flip-flop
        mov     al, bl
        out     0x0B, al                ; mode
        pop     ax
        out     0x04, al                ; address: low byte, high byte
        mov     al, ah
        out     0x04, al
        mov     al, dl
        out     0x81, al                ; channel 2's page register
        mov     al, cl
        out     0x05, al                ; count: low byte, high byte
        mov     al, ch
        out     0x05, al
        mov     al, 0x02                ; unmask channel 2
        out     0x0A, al
        clc
        jmp     .out
.boundary:
        stc
.out:   pop     dx
        pop     bx
        pop     ax
        ret

; AH=02h/03h/04h: AL sectors, CH cylinder, CL sector, DH head, DL drive, ES:BX buffer.
fd_transfer:
        mov     al, [bp]
        or      al, al
        jnz     .count
        mov     ah, 0x01
        ret
.count: mov     dl, [bp + 6]
        call    fd_motor_on
        call    fd_seek
        or      ah, ah
        jnz     .end
        ; DMA: 512 bytes per sector
        xor     ch, ch
        mov     cl, [bp]
        xchg    cl, ch                  ; CX = sectors * 256
        shl     cx, 1                   ; CX = bytes
        mov     al, 0x46                ; single, increment, write to memory, channel 2
        cmp     byte [bp + 1], 0x03
        jne     .nw
        mov     al, 0x4A                ; read from memory
.nw:    cmp     byte [bp + 1], 0x04
        jne     .nv
        mov     al, 0x42                ; verify
.nv:    call    dma_setup
        jnc     .dmaok
        mov     ah, 0x09                ; DMA boundary error
        jmp     .end
.dmaok: call    fd_rate                 ; data rate for this drive's media, EOT in AL
        push    ax
        mov     al, 0xE6                ; READ DATA with MT, MFM, skip deleted
        cmp     byte [bp + 1], 0x03
        jne     .cmd
        mov     al, 0xC5                ; WRITE DATA with MT, MFM
.cmd:   call    fdc_out
        mov     al, [bp + 7]
        and     al, 1
        shl     al, 1
        shl     al, 1
        or      al, [bp + 6]
        call    fdc_out                 ; head and drive
        mov     al, [bp + 5]
        call    fdc_out                 ; C
        mov     al, [bp + 7]
        call    fdc_out                 ; H
        mov     al, [bp + 4]
        and     al, 0x3F
        call    fdc_out                 ; R
        mov     al, 2
        call    fdc_out                 ; N: 512 bytes
        pop     ax
        call    fdc_out                 ; EOT
        mov     al, 0x1B
        call    fdc_out                 ; gap length
        mov     al, 0xFF
        call    fdc_out                 ; DTL
        call    fd_wait_irq
        jc      .timeout
        call    fd_results
        mov     al, [BDA_FDRESULT]
        test    al, 0xC0
        jz      .good
        call    fd_error
        jmp     .end
.timeout:
        mov     ah, 0x80
        jmp     .end
.good:  xor     ah, ah
.end:   call    fd_motor_timeout
        or      ah, ah
        jz      .r
        mov     byte [bp], 0            ; AL = sectors transferred: none
.r:     ret

; Read the seven result bytes into the BDA.
fd_results:
        push    cx
        push    di
        mov     di, BDA_FDRESULT
        mov     cx, 7
.r:     call    fdc_in
        mov     [di], al
        inc     di
        loop    .r
        pop     di
        pop     cx
        ret

; From the result bytes (ST0 abnormal) -> AH = INT 13h status
fd_error:
        mov     al, [BDA_FDRESULT + 1]  ; ST1
        mov     ah, 0x03                ; write protected
        test    al, 0x02
        jnz     .d
        mov     ah, 0x10                ; CRC error
        test    al, 0x20
        jnz     .d
        mov     ah, 0x08                ; DMA overrun
        test    al, 0x10
        jnz     .d
        mov     ah, 0x04                ; sector not found (no data, missing mark, end of cylinder)
        test    al, 0x85
        jnz     .d
        mov     ah, 0x02                ; address mark not found
        test    byte [BDA_FDRESULT + 2], 0x01
        jnz     .d
        mov     ah, 0x20                ; controller failure
.d:     ret

; Data rate for drive DL's media -> CCR programmed, AL = sectors per track (EOT).
; A drive reads its native density; a 1.44M or 2.88M drive reading a 720K disk is
; selected by CMOS type 3.
fd_rate:
        push    bx
        push    dx
        mov     dl, [bp + 6]
        call    fd_drive_type
        xor     bx, bx
        mov     bl, al
        dec     bx
        shl     bx, 1
        mov     ax, [cs:fd_rates + bx]  ; AL = CCR value, AH = sectors per track
        mov     dx, FDC_CCR
        out     dx, al
        mov     al, ah
        pop     dx
        pop     bx
        ret

; AH=05h: format track CH, head DH, drive DL; ES:BX = AL address fields (C, H, R, N).
fd_format:
        mov     dl, [bp + 6]
        call    fd_motor_on
        call    fd_seek
        or      ah, ah
        jnz     .end
        xor     ch, ch
        mov     cl, [bp]
        shl     cx, 1
        shl     cx, 1                   ; 4 bytes per sector
        mov     al, 0x4A                ; memory to controller
        call    dma_setup
        jnc     .ok
        mov     ah, 0x09
        jmp     .end
.ok:    call    fd_rate
        mov     al, 0x4D                ; FORMAT TRACK, MFM
        call    fdc_out
        mov     al, [bp + 7]
        and     al, 1
        shl     al, 1
        shl     al, 1
        or      al, [bp + 6]
        call    fdc_out
        mov     al, 2                   ; N
        call    fdc_out
        mov     al, [bp]                ; sectors per track
        call    fdc_out
        mov     al, 0x54                ; gap 3 for formatting
        call    fdc_out
        mov     al, 0xF6                ; filler byte
        call    fdc_out
        call    fd_wait_irq
        jc      .timeout
        call    fd_results
        test    byte [BDA_FDRESULT], 0xC0
        jz      .good
        call    fd_error
        jmp     .end
.timeout:
        mov     ah, 0x80
        jmp     .end
.good:  xor     ah, ah
.end:   jmp     fd_motor_timeout

init_floppy:
        mov     al, 0x10
        call    cmos_read
        or      al, al
        jz      .none
        call    fdc_reset
.none:  ret

; ---- hard disks -----------------------------------------------------------------------------
; DX:AX / BX -> DX:AX quotient, CX remainder
div32:
        push    si
        mov     si, ax
        mov     ax, dx
        xor     dx, dx
        div     bx
        xchg    ax, si
        div     bx
        mov     cx, dx
        mov     dx, si
        pop     si
        ret

; DX:AX * BX -> DX:AX (low 32 bits)
mul32:
        push    si
        push    cx
        mov     si, ax
        mov     ax, dx
        mul     bx
        mov     cx, ax
        mov     ax, si
        mul     bx
        add     dx, cx
        pop     cx
        pop     si
        ret

; -> ES:DI = the record of hard disk (DL & 7Fh); CF = no such disk
hd_record:
        mov     al, dl
        and     al, 0x7F
        cmp     al, [BDA_HDCOUNT]
        jae     .none
        mov     di, [BDA_EBDA]
        mov     es, di
        mov     di, EB_HD
        or      al, al
        jz      .ok
        add     di, 16
.ok:    clc
        ret
.none:  stc
        ret

hd_service:
        mov     dl, [bp + 6]
        mov     ah, [bp + 1]
        cmp     ah, 0x01
        je      .status
        call    hd_record
        jnc     .exists
        mov     ah, 0x01                ; no such drive
        jmp     .done
.exists:
        mov     ah, [bp + 1]
        cmp     ah, 0x02
        je      .rw
        cmp     ah, 0x03
        je      .rw
        cmp     ah, 0x04
        je      .rw
        cmp     ah, 0x08
        je      .params
        cmp     ah, 0x15
        je      .type
        cmp     ah, 0x41
        je      .ext_check
        cmp     ah, 0x42
        je      .ext_rw
        cmp     ah, 0x43
        je      .ext_rw
        cmp     ah, 0x44
        je      .ext_rw
        cmp     ah, 0x47
        je      .ok
        cmp     ah, 0x48
        je      .ext_params
        cmp     ah, 0x00                ; reset, seek, initialise, recalibrate, diagnostics: no-ops
        je      .ok
        cmp     ah, 0x09
        je      .ok
        cmp     ah, 0x0C
        je      .ok
        cmp     ah, 0x0D
        je      .ok
        cmp     ah, 0x10
        je      .ok
        cmp     ah, 0x11
        je      .ok
        cmp     ah, 0x14
        je      .ok
        mov     ah, 0x01
        jmp     .done
.rw:    call    hd_chs_rw
        jmp     .done
.params:
        call    hd_params
        jmp     .ok
.type:  mov     ax, [es:di + HD_TOTAL]  ; AH = 3 (fixed disk), CX:DX = sectors
        mov     [bp + 6], ax
        mov     ax, [es:di + HD_TOTAL + 2]
        mov     [bp + 4], ax
        mov     ah, 0x03
        mov     [BDA_HDSTATUS], byte 0
        clc
        ret
.ext_check:
        cmp     word [bp + 2], 0x55AA
        jne     .inval
        mov     word [bp + 2], 0xAA55
        mov     word [bp + 4], 0x0001   ; extended disk access functions
        mov     ah, 0x21                ; EDD 1.1
        mov     [BDA_HDSTATUS], byte 0
        clc
        ret
.ext_rw:
        call    hd_ext_rw
        jmp     .done
.ext_params:
        call    hd_ext_params
        jmp     .done
.inval: mov     ah, 0x01
        jmp     .done
.ok:    xor     ah, ah
.done:  mov     [BDA_HDSTATUS], ah
        or      ah, ah
        jz      .clc
        stc
        ret
.clc:   clc
        ret
.status:
        mov     ah, [BDA_HDSTATUS]
        or      ah, ah
        jz      .clc
        stc
        ret

; AH=08h
hd_params:
        mov     ax, [es:di + HD_CYLS]
        dec     ax                      ; highest cylinder number
        mov     [bp + 5], al            ; CH = cylinder bits 0-7
        mov     cl, 6
        shl     ah, cl
        mov     al, [es:di + HD_SPT]
        or      al, ah
        mov     [bp + 4], al            ; CL = sectors | cylinder bits 8-9
        mov     al, [es:di + HD_HEADS]
        dec     al
        mov     [bp + 7], al            ; DH = highest head
        mov     al, [BDA_HDCOUNT]
        mov     [bp + 6], al            ; DL = number of disks
        mov     word [bp], 0
        ret

; AH=02h/03h/04h with CHS in CX, DH through the BIOS geometry -> LBA
hd_chs_rw:
        mov     al, [bp]
        or      al, al
        jz      .bad
        mov     cx, [bp + 4]
        mov     al, cl
        and     al, 0x3F                ; sector, from 1
        jz      .bad
        cmp     al, [es:di + HD_SPT]
        ja      .bad
        mov     al, [bp + 7]            ; head
        cmp     al, [es:di + HD_HEADS]
        jae     .bad
        mov     al, cl
        mov     cl, 6
        shr     al, cl
        mov     ah, al
        mov     al, ch                  ; AX = cylinder
        cmp     ax, [es:di + HD_CYLS]
        jae     .bad
        xor     dx, dx
        mov     bx, [es:di + HD_HEADS]
        call    mul32                   ; cylinder * heads
        mov     bl, [bp + 7]
        xor     bh, bh
        add     ax, bx
        adc     dx, 0                   ; + head
        mov     bx, [es:di + HD_SPT]
        call    mul32                   ; * sectors per track
        mov     bl, [bp + 4]
        and     bx, 0x3F
        dec     bx
        add     ax, bx
        adc     dx, 0                   ; + sector - 1
        xor     cx, cx
        mov     cl, [bp]                ; count
        mov     bx, [bp + 14]           ; buffer: caller's ES:BX
        mov     si, [bp + 2]
        call    ata_transfer
        or      ah, ah
        jz      .r
        mov     byte [bp], 0
.r:     ret
.bad:   mov     ah, 0x04                ; sector not found
        mov     byte [bp], 0
        ret

; AH=42h/43h/44h: DS:SI = disk address packet (size, 0, count, offset, segment, LBA qword)
hd_ext_rw:
        push    ds
        mov     ax, [bp + 16]
        mov     ds, ax
        mov     si, [bp + 12]
        cmp     byte [si], 16
        jb      .badp
        mov     cx, [si + 2]            ; count
        cmp     cx, 127
        ja      .badp
        mov     ax, [si + 12]           ; LBA bits 32-63 must be zero (LBA28 below)
        or      ax, [si + 14]
        jnz     .nf
        mov     ax, [si + 8]
        mov     dx, [si + 10]
        push    word [si + 6]           ; buffer segment
        push    word [si + 4]           ; buffer offset
        pop     si
        pop     bx
        pop     ds
        push    cx
        call    ata_transfer
        pop     cx
        or      ah, ah
        jz      .r
        push    ds                      ; nothing transferred
        mov     ax, [bp + 16]
        mov     ds, ax
        mov     si, [bp + 12]
        mov     word [si + 2], 0
        pop     ds
.r:     ret
.badp:  pop     ds
        mov     ah, 0x01
        ret
.nf:    pop     ds
        mov     ah, 0x04
        ret

; AH=48h: DS:SI = result buffer (size word first)
hd_ext_params:
        push    ds
        mov     ax, [bp + 16]
        mov     ds, ax
        mov     si, [bp + 12]
        cmp     word [si], 26
        jb      .bad
        mov     word [si], 26
        mov     word [si + 2], 0x0002   ; CHS information valid
        mov     ax, [es:di + HD_CYLS]
        mov     [si + 4], ax
        mov     word [si + 6], 0
        mov     ax, [es:di + HD_HEADS]
        mov     [si + 8], ax
        mov     word [si + 10], 0
        mov     ax, [es:di + HD_SPT]
        mov     [si + 12], ax
        mov     word [si + 14], 0
        mov     ax, [es:di + HD_TOTAL]
        mov     [si + 16], ax
        mov     ax, [es:di + HD_TOTAL + 2]
        mov     [si + 18], ax
        mov     word [si + 20], 0
        mov     word [si + 22], 0
        mov     word [si + 24], 512
        pop     ds
        xor     ah, ah
        ret
.bad:   pop     ds
        mov     ah, 0x01
        ret

; Wait until BSY clears (bounded). AL = status; CF = timed out.
ata_wait:
        push    cx
        push    dx
        mov     dx, ATA_STATUS
        mov     cx, 0xFFFF
.w:     in      al, dx
        test    al, 0x80
        jz      .ok
        loop    .w
        stc
        jmp     .d
.ok:    clc
.d:     pop     dx
        pop     cx
        ret

; Transfer CX sectors (1..255) at LBA DX:AX of the disk whose record is at ES:DI, to or from
; the buffer BX:SI (segment:offset). The operation is the caller's AH ([bp + 1]): 02h/42h read,
; 03h/43h write, 04h/44h verify. -> AH = INT 13h status.
ata_transfer:
        push    es
        push    di
        ; range check: LBA + count <= total
        push    ax
        push    dx
        add     ax, cx
        adc     dx, 0
        cmp     dx, [es:di + HD_TOTAL + 2]
        jb      .inrange
        ja      .beyond
        cmp     ax, [es:di + HD_TOTAL]
        ja      .beyond
.inrange:
        pop     dx
        pop     ax
        push    ax
        call    ata_wait
        pop     ax
        jc      .timeout
        push    ax
        mov     al, [es:di + HD_SELECT]
        push    dx
        and     dh, 0x0F
        or      al, dh
        mov     dx, ATA_STATUS - 1      ; 1F6h: device / head, LBA bits 24-27
        out     dx, al
        pop     dx
        mov     al, cl
        push    dx
        mov     dx, ATA_STATUS - 5      ; 1F2h: sector count
        out     dx, al
        pop     dx
        pop     ax
        push    dx
        mov     dx, ATA_STATUS - 4      ; 1F3h: LBA 0-7
        out     dx, al
        inc     dx
        mov     al, ah                  ; 1F4h: LBA 8-15
        out     dx, al
        pop     ax
        inc     dx                      ; 1F5h: LBA 16-23
        out     dx, al
        mov     al, [bp + 1]
        and     al, 0x0F
        mov     ah, 0x20                ; READ SECTORS
        cmp     al, 3
        jne     .c1
        mov     ah, 0x30                ; WRITE SECTORS
.c1:    cmp     al, 4
        jne     .c2
        mov     ah, 0x40                ; READ VERIFY SECTORS
.c2:    mov     al, ah
        mov     dx, ATA_STATUS
        out     dx, al
        cmp     al, 0x40
        je      .verify
        ; normalise the buffer: segment += offset / 16, offset &= 15
        mov     ax, si
        push    cx
        mov     cl, 4
        shr     ax, cl
        pop     cx
        add     bx, ax
        and     si, 0x0F
        mov     es, bx
.sector:
        call    ata_wait
        jc      .timeout
        test    al, 0x01
        jnz     .error
        test    al, 0x08
        jz      .error                  ; no data request: the device gave up
        push    cx
        mov     cx, 256
        mov     dx, ATA_DATA
        mov     di, si
        cmp     byte [bp + 1], 0x03
        je      .write
        cmp     byte [bp + 1], 0x43
        je      .write
.rd:    in      ax, dx
        stosw
        loop    .rd
        jmp     .next
.write: push    ds
        push    es
        pop     ds
        push    si
.wr:    lodsw
        out     dx, ax
        loop    .wr
        pop     si
        pop     ds
.next:  pop     cx
        mov     ax, es
        add     ax, 0x20                ; 512 bytes further
        mov     es, ax
        loop    .sector
        cmp     byte [bp + 1], 0x03     ; a write completes when BSY clears after the last sector
        je      .final
        cmp     byte [bp + 1], 0x43
        jne     .ok
.final: call    ata_wait
        jc      .timeout
        test    al, 0x01
        jnz     .error
.ok:    xor     ah, ah
        jmp     .out
.verify:
        call    ata_wait
        jc      .timeout
        test    al, 0x01
        jnz     .error
        jmp     .ok
.beyond:
        pop     dx
        pop     ax
        mov     ah, 0x04                ; sector not found
        jmp     .out
.timeout:
        mov     ah, 0x80
        jmp     .out
.error: mov     dx, ATA_STATUS - 6      ; 1F1h: error register
        in      al, dx
        mov     ah, 0x04                ; IDNF: sector not found
        test    al, 0x10
        jnz     .out
        mov     ah, 0x10                ; UNC: uncorrectable data
        test    al, 0x40
        jnz     .out
        mov     ah, 0x01                ; ABRT
        test    al, 0x04
        jnz     .out
        mov     ah, 0x20                ; controller failure
.out:   pop     di
        pop     es
        ret

; POST: find ATA disks on the primary channel (IDENTIFY), choose their BIOS geometry.
init_hard_disks:
        mov     dx, ATA_CTRL
        mov     al, 0x02                ; nIEN: this BIOS polls
        out     dx, al
        mov     byte [BDA_HDCOUNT], 0
        mov     bl, 0xA0                ; master, then slave
.next:  call    hd_identify
        add     bl, 0x10
        cmp     bl, 0xB0
        je      .next
        ; INT 41h / 46h: the fixed disk parameter tables in the EBDA
        push    es
        xor     ax, ax
        mov     es, ax
        mov     ax, [BDA_EBDA]
        mov     word [es:0x41 * 4], EB_FDPT0
        mov     [es:0x41 * 4 + 2], ax
        mov     word [es:0x46 * 4], EB_FDPT1
        mov     [es:0x46 * 4 + 2], ax
        pop     es
        ret

; BL = A0h (master) / B0h (slave): IDENTIFY DEVICE and record the disk if it is an ATA disk
; with LBA. Uses the EBDA's second half as the 512-byte buffer.
hd_identify:
        push    bx
        mov     dx, ATA_STATUS - 1
        mov     al, bl
        out     dx, al
        mov     dx, ATA_STATUS
        in      al, dx
        cmp     al, 0xFF                ; floating bus: no device
        je      .none
        or      al, al
        jz      .none
        call    ata_wait
        jc      .none
        mov     al, 0xEC                ; IDENTIFY DEVICE
        out     dx, al
        call    ata_wait
        jc      .none
        test    al, 0x01                ; aborted: not an ATA disk (an ATAPI device, say)
        jnz     .none
        test    al, 0x08
        jz      .none
        push    es
        mov     ax, [BDA_EBDA]
        mov     es, ax
        mov     di, 0x200
        mov     cx, 256
        mov     dx, ATA_DATA
.rd:    in      ax, dx
        stosw
        loop    .rd
        test    byte [es:0x200 + 49 * 2 + 1], 0x02 ; word 49 bit 9: LBA supported
        jz      .nolba
        mov     al, [BDA_HDCOUNT]
        mov     di, EB_HD
        or      al, al
        jz      .rec
        add     di, 16
.rec:   mov     byte [es:di + HD_PRESENT], 1
        mov     al, bl
        or      al, 0x40                ; LBA addressing
        mov     [es:di + HD_SELECT], al
        mov     ax, [es:0x200 + 60 * 2] ; words 60-61: LBA28 capacity
        mov     dx, [es:0x200 + 61 * 2]
        mov     [es:di + HD_TOTAL], ax
        mov     [es:di + HD_TOTAL + 2], dx
        ; geometry: the disk's own CHS (words 1, 3, 6) while it has at most 1024 cylinders,
        ; else LBA-assisted translation: 63 sectors, 16/32/64/128/255 heads, <= 1024 cylinders.
        mov     cx, [es:0x200 + 1 * 2]
        cmp     cx, 1024
        ja      .translate
        mov     [es:di + HD_CYLS], cx
        mov     ax, [es:0x200 + 3 * 2]
        mov     [es:di + HD_HEADS], ax
        mov     ax, [es:0x200 + 6 * 2]
        mov     [es:di + HD_SPT], ax
        jmp     .fdpt
.translate:
        mov     word [es:di + HD_SPT], 63
        mov     bx, 16
.try:   push    dx
        push    ax
        push    bx
        mov     cx, bx
        mov     ax, 63
        mul     cx
        mov     bx, ax                  ; heads * 63
        pop     cx
        pop     ax
        pop     dx
        push    dx
        push    ax
        push    cx
        call    div32                   ; DX:AX = cylinders
        pop     bx
        or      dx, dx
        jnz     .more
        cmp     ax, 1024
        jbe     .fit
.more:  pop     ax
        pop     dx
        cmp     bx, 255
        je      .cap
        shl     bx, 1
        cmp     bx, 256
        jb      .try
        mov     bx, 255
        jmp     .try
.cap:   mov     word [es:di + HD_HEADS], 255
        mov     word [es:di + HD_CYLS], 1024
        jmp     .fdpt
.fit:   mov     [es:di + HD_CYLS], ax
        mov     [es:di + HD_HEADS], bx
        pop     ax
        pop     dx
.fdpt:  ; the INT 41h/46h table: cylinders, heads, ..., sectors per track
        push    di
        mov     si, di
        mov     di, EB_FDPT0
        cmp     si, EB_HD
        je      .t0
        mov     di, EB_FDPT1
.t0:    mov     ax, [es:si + HD_CYLS]
        mov     [es:di + 0], ax
        mov     [es:di + 12], ax        ; landing zone
        mov     al, [es:si + HD_HEADS]
        mov     [es:di + 2], al
        mov     word [es:di + 5], 0xFFFF ; no write precompensation
        mov     byte [es:di + 8], 0x08  ; more than 8 heads
        mov     al, [es:si + HD_SPT]
        mov     [es:di + 14], al
        pop     di
        inc     byte [BDA_HDCOUNT]
        ; "Hard disk N: M MiB"
        mov     si, msg_hd
        call    print_str
        mov     al, [BDA_HDCOUNT]
        add     al, '0' - 1
        call    bios_putc
        mov     si, msg_colon
        call    print_str
        mov     ax, [es:di + HD_TOTAL]
        mov     dx, [es:di + HD_TOTAL + 2]
        mov     bx, 2048                ; sectors per MiB
        call    div32
        call    print_dec
        mov     si, msg_mib
        call    print_str
        pop     es
        pop     bx
        ret
.nolba: pop     es
        mov     si, msg_nolba
        call    print_str
.none:  pop     bx
        ret

; ---------------------------------------------------------------------------------------------
; CD-ROM: an ATAPI drive at the secondary channel's master position (SFF-8020i PACKET protocol,
; polled PIO), INT 13h drive E0h with 2048-byte blocks, and El Torito no-emulation boot.
; ---------------------------------------------------------------------------------------------

; ES = the EBDA (other registers kept)
es_ebda:
        push    ax
        mov     ax, BDA
        mov     es, ax
        mov     es, [es:BDA_EBDA]
        pop     ax
        ret

; Wait until BSY clears on the CD-ROM's channel (bounded). AL = status; CF = timed out.
cd_wait:
        push    cx
        push    dx
        push    bx
        mov     dx, CD_STATUS
        mov     bx, 4
.o:     mov     cx, 0xFFFF
.w:     in      al, dx
        test    al, 0x80
        jz      .ok
        loop    .w
        dec     bx
        jnz     .o
        stc
        jmp     .d
.ok:    clc
.d:     pop     bx
        pop     dx
        pop     cx
        ret

; POST: an ATAPI CD-ROM drive at the secondary master? IDENTIFY PACKET DEVICE, word 0 bits 15-14
; = 10b (packet device) and bits 12-8 = 05h (CD-ROM). Prints its model. Buffer: EBDA 200h.
init_cdrom:
        mov     dx, CD_CTRL
        mov     al, 0x02                ; nIEN: this BIOS polls
        out     dx, al
        mov     dx, CD_DEVICE
        mov     al, 0xA0                ; master
        out     dx, al
        mov     dx, CD_STATUS
        in      al, dx
        cmp     al, 0xFF                ; floating bus: no channel there
        je      .none
        call    cd_wait
        jc      .none
        mov     al, 0xA1                ; IDENTIFY PACKET DEVICE
        out     dx, al
        call    cd_wait
        jc      .none
        test    al, 0x01                ; aborted: an ATA disk, not a packet device
        jnz     .none
        test    al, 0x08
        jz      .none
        call    es_ebda
        mov     di, 0x200
        mov     cx, 256
        mov     dx, CD_DATA
.rd:    in      ax, dx
        stosw
        loop    .rd
        mov     ax, [es:0x200]
        and     ax, 0xDF00
        cmp     ax, 0x8500
        jne     .none
        mov     byte [es:EB_CD], 1
        mov     si, msg_cd
        call    print_str
        mov     di, 0x200 + 27 * 2      ; model, words 27-46: the first character in the high byte
        mov     cx, 20
.sw:    mov     ax, [es:di]
        xchg    al, ah
        stosw
        loop    .sw
        mov     cx, 40                  ; without the trailing blanks
.tr:    mov     bx, cx
        cmp     byte [es:bx + 0x200 + 27 * 2 - 1], ' '
        ja      .pr
        loop    .tr
.pr:    jcxz    .eol
        mov     si, 0x200 + 27 * 2
.pc:    mov     al, [es:si]
        call    bios_putc
        inc     si
        loop    .pc
.eol:   mov     si, msg_crlf
        call    print_str
.none:  ret

; Send the 12-byte packet at EBDA:SI to the CD-ROM drive and take the data it returns into
; ES:DI, storing at most BX words (the rest is read and dropped; for the packet at EB_CDPKT,
; the first EB_CDSKIP words are dropped too). The byte count limit is 2048,
; so a DRQ block holds at most one CD block; ES:DI is normalised before each block and ends
; just past the data stored. -> CF = 0: good (AH = 0). CF = 1: AH = 80h timeout, 20h the drive
; broke the protocol, or AH = FFh CHECK CONDITION with AL = the error register.
cd_packet:
        push    cx
        push    dx
        push    si
        push    ds
        push    bp
        call    cd_wait
        jc      .timeout
        mov     dx, CD_DEVICE
        mov     al, 0xA0                ; master
        out     dx, al
        call    cd_wait
        jc      .timeout
        mov     dx, CD_ERROR            ; features: PIO data, no overlap
        xor     al, al
        out     dx, al
        mov     dx, CD_BCL              ; byte count limit 0800h
        out     dx, al
        inc     dx
        mov     al, 0x08
        out     dx, al
        mov     dx, CD_STATUS
        mov     al, 0xA0                ; PACKET
        out     dx, al
        call    cd_wait
        jc      .timeout
        test    al, 0x01
        jnz     .check
        test    al, 0x08                ; DRQ: the drive wants the packet
        jz      .proto
        mov     ax, BDA
        mov     ds, ax
        mov     ds, [BDA_EBDA]
        xor     ax, ax                  ; words to drop first: EB_CDSKIP for the main packet
        cmp     si, EB_CDPKT
        jne     .skip
        mov     ax, [EB_CDSKIP]
.skip:  push    ax
        mov     cx, 6
        mov     dx, CD_DATA
.pk:    lodsw
        out     dx, ax
        loop    .pk
        pop     si                      ; SI = words to drop
        mov     bp, 64                  ; at most 64 data blocks per command (16 are asked)
.phase: call    cd_wait
        jc      .timeout
        test    al, 0x01
        jnz     .check
        test    al, 0x08
        jz      .good                   ; no DRQ: the command completed
        dec     bp
        jz      .proto
        mov     ax, di                  ; normalise ES:DI
        mov     cl, 4
        shr     ax, cl
        mov     cx, es
        add     cx, ax
        mov     es, cx
        and     di, 0x000F
        mov     dx, CD_BCL              ; this block's byte count
        in      al, dx
        mov     cl, al
        inc     dx
        in      al, dx
        mov     ch, al
        cmp     cx, 0x0800
        ja      .proto
        inc     cx
        shr     cx, 1                   ; words
        jz      .proto
        mov     dx, CD_DATA
.word:  in      ax, dx
        or      si, si
        jnz     .skipw
        or      bx, bx
        jz      .drop
        stosw
        dec     bx
.drop:  loop    .word
        jmp     .phase
.skipw: dec     si
        loop    .word
        jmp     .phase
.good:  xor     ah, ah                  ; CF = 0
        jmp     .out
.check: mov     dx, CD_ERROR
        in      al, dx
        mov     ah, 0xFF
        stc
        jmp     .out
.proto: mov     ah, 0x20
        stc
        jmp     .out
.timeout:
        mov     ah, 0x80
        stc
.out:   pop     bp
        pop     ds
        pop     si
        pop     dx
        pop     cx
        ret

; A packet at EBDA:EB_CDPKT: operation code AL, byte 4 = AH, the rest zero; no words to
; drop. -> ES = EBDA.
cd_build:
        push    di
        push    cx
        push    ax
        call    es_ebda
        mov     di, EB_CDPKT
        xor     ax, ax
        mov     cx, 6
        rep     stosw
        pop     ax
        mov     [es:EB_CDPKT], al
        mov     [es:EB_CDPKT + 4], ah
        mov     word [es:EB_CDSKIP], 0
        pop     cx
        pop     di
        ret

; After CHECK CONDITION (AL = error register): REQUEST SENSE, and the sense key and additional
; sense code as an INT 13h status -> AH. Keeps CX, DX, SI; uses ES, DI, BX.
cd_sense:
        push    cx
        push    si
        mov     cl, 4
        shr     al, cl
        push    ax                      ; AL = the sense key the error register gave
        call    es_ebda
        mov     di, EB_CDRS
        xor     ax, ax
        mov     cx, 6
        rep     stosw
        mov     byte [es:EB_CDRS], 0x03 ; REQUEST SENSE, 18 bytes (fixed format)
        mov     byte [es:EB_CDRS + 4], 18
        mov     si, EB_CDRS
        mov     di, EB_CDSENSE
        mov     bx, 9
        call    cd_packet
        pop     ax
        mov     ah, 0                   ; additional sense code: unknown
        jc      .map
        call    es_ebda
        mov     cl, [es:EB_CDSENSE + 2]
        and     cl, 0x0F
        jz      .map                    ; no sense left: keep the error register's key
        mov     al, cl
        mov     ah, [es:EB_CDSENSE + 12]
.map:   and     al, 0x0F
        mov     cl, ah
        cmp     al, 0x02                ; NOT READY
        jne     .k3
        mov     ah, 0x31                ; MEDIUM NOT PRESENT -> no media in drive
        cmp     cl, 0x3A
        je      .out
        mov     ah, 0xAA                ; drive not ready
        jmp     .out
.k3:    mov     ah, 0x10                ; MEDIUM ERROR -> uncorrectable read error
        cmp     al, 0x03
        je      .out
        cmp     al, 0x05                ; ILLEGAL REQUEST
        jne     .k6
        mov     ah, 0x04                ; LBA OUT OF RANGE -> sector not found
        cmp     cl, 0x21
        je      .out
        mov     ah, 0x01                ; anything else: invalid request
        jmp     .out
.k6:    mov     ah, 0x06                ; UNIT ATTENTION -> media changed
        cmp     al, 0x06
        je      .out
        mov     ah, 0x03                ; DATA PROTECT -> write protected
        cmp     al, 0x07
        je      .out
        mov     ah, 0x20                ; controller failure
.out:   pop     si
        pop     cx
        ret

; The packet at EBDA:EB_CDPKT, data to ES:DI (at most BX words stored). A unit attention
; (power-on reset, medium changed: reported once) is retried once. -> AH = INT 13h status,
; CF = error; ES:DI past the data. Uses BX, AL.
cd_command:
        push    cx
        push    si
        mov     cx, 2
.again: push    es
        push    di
        push    bx
        mov     si, EB_CDPKT
        call    cd_packet
        jnc     .good
        cmp     ah, 0xFF
        jne     .fail
        call    cd_sense
        cmp     ah, 0x06
        jne     .fail
        dec     cx
        jz      .fail
        pop     bx
        pop     di
        pop     es
        jmp     .again
.good:  pop     bx                      ; ES:DI stay where the data ended
        pop     si
        pop     si
        pop     si
        pop     cx
        clc
        ret
.fail:  pop     bx
        pop     bx
        pop     bx
        pop     si
        pop     cx
        stc
        ret

; Read CX (1..16) blocks of 2048 bytes at block DX:AX into ES:DI, storing at most BX words.
; -> AH = status, CF; ES:DI past the data. Uses BX, AL.
cd_read:
        push    es
        push    di
        push    ax
        push    ax
        mov     al, 0x28                ; READ(10): LBA in bytes 2-5, length in 7-8, big-endian
        call    cd_build
        pop     ax
        mov     [es:EB_CDPKT + 2], dh
        mov     [es:EB_CDPKT + 3], dl
        mov     [es:EB_CDPKT + 4], ah
        mov     [es:EB_CDPKT + 5], al
        mov     [es:EB_CDPKT + 7], ch
        mov     [es:EB_CDPKT + 8], cl
        pop     ax
        pop     di
        pop     es
        jmp     cd_command

; One block at DX:AX into the scratch buffer 07C0:0000 (the boot image goes there later).
cd_read_scratch:
        push    cx
        push    bx
        mov     bx, 0x07C0
        mov     es, bx
        xor     di, di
        mov     bx, 1024
        mov     cx, 1
        call    cd_read
        pop     bx
        pop     cx
        ret

; TEST UNIT READY until the drive is ready: unit attentions are retried, "not ready" other than
; "medium not present" is waited out (about 5 s of ticks); no medium ends at once.
; -> AH = status, CF.
cd_ready:
        push    cx
        mov     cx, 100
.try:   xor     ax, ax                  ; TEST UNIT READY
        call    cd_build
        xor     bx, bx
        call    cd_command
        jnc     .ok
        cmp     ah, 0x06
        je      .next
        cmp     ah, 0xAA
        jne     .fail
        call    wait_irq
.next:  loop    .try
.fail:  stc
.ok:    pop     cx
        ret

; ---- INT 13h, drive E0h: the CD-ROM, 2048-byte blocks ----------------------------------------
cd_service:
        call    es_ebda
        mov     ah, [bp + 1]
        cmp     byte [es:EB_CD], 0
        je      .inval                  ; no such drive
        cmp     ah, 0x01
        je      .status
        cmp     ah, 0x00                ; reset
        je      .ok
        cmp     ah, 0x41
        je      .ext_check
        cmp     ah, 0x42
        je      .read
        cmp     ah, 0x43
        je      .wp
        cmp     ah, 0x47                ; extended seek
        je      .ok
        cmp     ah, 0x48
        je      .params
        cmp     ah, 0x4B
        je      .emul
.inval: mov     ah, 0x01
        jmp     .done
.wp:    mov     ah, 0x03                ; write protected
        jmp     .done
.ext_check:
        cmp     word [bp + 2], 0x55AA
        jne     .inval
        mov     word [bp + 2], 0xAA55
        mov     word [bp + 4], 0x0001   ; extended disk access functions (42h-44h, 47h, 48h)
        mov     byte [es:EB_CDLAST], 0
        mov     ah, 0x21                ; EDD 1.1
        clc
        ret
.read:  call    cd_ext_read
        jmp     .done
.params:
        call    cd_ext_params
        jmp     .done
.emul:  call    cd_emulation
        jmp     .done
.ok:    xor     ah, ah
.done:  call    es_ebda
        mov     [es:EB_CDLAST], ah
        or      ah, ah
        jz      .clc
        stc
        ret
.clc:   clc
        ret
.status:
        mov     ah, [es:EB_CDLAST]
        or      ah, ah
        jz      .clc
        stc
        ret

; AH=42h: DS:SI = disk address packet (size, 0, count, offset, segment, LBA qword), in 2048-byte
; blocks. On an error the packet's count says how many blocks were read.
cd_ext_read:
        push    ds
        mov     ds, [bp + 16]
        mov     si, [bp + 12]
        cmp     byte [si], 16
        jb      .badp
        mov     cx, [si + 2]            ; count
        cmp     cx, 127
        ja      .badp
        mov     ax, [si + 12]           ; LBA bits 32-63 must be zero
        or      ax, [si + 14]
        jnz     .nf
        les     di, [si + 4]            ; buffer
        mov     ax, [si + 8]
        mov     dx, [si + 10]
.loop:  jcxz    .good
        mov     bx, cx                  ; blocks left
        cmp     cx, 16
        jbe     .n
        mov     cx, 16
.n:     push    bx
        push    cx
        push    dx
        push    ax
        mov     bx, cx
        mov     cl, 10
        shl     bx, cl                  ; words: 1024 per block
        pop     ax
        pop     dx
        pop     cx
        push    cx
        push    dx
        push    ax
        call    cd_read
        jc      .err
        pop     ax
        pop     dx
        pop     cx
        pop     bx
        add     ax, cx
        adc     dx, 0
        sub     bx, cx
        mov     cx, bx
        jmp     .loop
.err:   mov     al, ah
        pop     cx
        pop     dx
        pop     cx
        pop     bx                      ; blocks left, this one included
        sub     [si + 2], bx
        mov     ah, al
        pop     ds
        ret
.good:  xor     ah, ah
        pop     ds
        ret
.badp:  mov     ah, 0x01
        pop     ds
        ret
.nf:    mov     ah, 0x04
        pop     ds
        ret

; AH=48h: DS:SI = result buffer (size word first). Blocks from READ CAPACITY, 2048 bytes each.
cd_ext_params:
        push    ds
        mov     ds, [bp + 16]
        mov     si, [bp + 12]
        cmp     word [si], 26
        jb      .bad
        mov     ax, 0x0025              ; READ CAPACITY: last block, block length (big-endian)
        call    cd_build
        mov     di, EB_CDSENSE
        mov     bx, 4
        call    cd_command
        jc      .out
        call    es_ebda
        mov     dx, [es:EB_CDSENSE]
        xchg    dl, dh
        mov     ax, [es:EB_CDSENSE + 2]
        xchg    al, ah
        add     ax, 1
        adc     dx, 0                   ; blocks = last + 1
        mov     word [si], 26
        mov     word [si + 2], 0x0004   ; removable medium; no CHS information
        xor     cx, cx
        mov     [si + 4], cx            ; cylinders, heads, sectors per track: none
        mov     [si + 6], cx
        mov     [si + 8], cx
        mov     [si + 10], cx
        mov     [si + 12], cx
        mov     [si + 14], cx
        mov     [si + 16], ax
        mov     [si + 18], dx
        mov     [si + 20], cx
        mov     [si + 22], cx
        mov     word [si + 24], 2048    ; bytes per sector
        xor     ah, ah
        jmp     .out
.bad:   mov     ah, 0x01
.out:   pop     ds
        ret

; AH=4Bh: AL = 00h terminate disk emulation, 01h get status; DS:SI = the specification packet
; (13h bytes, El Torito 1.0 section 5.3). After a no-emulation boot there is no emulation to end;
; after a diskette-emulation boot, 00h gives drive 00h back to the real diskette drive. Both fill
; in the packet. Without a boot from the CD: invalid request.
cd_emulation:
        mov     al, [bp]
        cmp     al, 0x01
        ja      .bad
        call    es_ebda
        cmp     byte [es:EB_CDBOOT], 0
        je      .bad
        push    ds
        mov     ds, [bp + 16]
        mov     si, [bp + 12]
        mov     byte [si], 0x13         ; packet size
        mov     al, [es:EB_CDMEDIA]
        mov     [si + 1], al            ; boot media type (0: no emulation)
        mov     ah, CD_DRIVE
        or      al, al
        jz      .drive
        xor     ah, ah                  ; the emulated diskette's drive number
.drive: mov     [si + 2], ah
        mov     byte [si + 3], 1        ; controller index: the secondary IDE channel
        mov     ax, [es:EB_CDRBA]
        mov     [si + 4], ax            ; the image's first block
        mov     ax, [es:EB_CDRBA + 2]
        mov     [si + 6], ax
        xor     ax, ax
        mov     [si + 8], ax            ; device specification: master
        mov     [si + 10], ax           ; user buffer segment for cached reads: none
        mov     ax, [es:EB_CDSEG]
        mov     [si + 12], ax           ; load segment
        mov     ax, [es:EB_CDCOUNT]
        mov     [si + 14], ax           ; virtual sectors loaded
        xor     ax, ax
        mov     [si + 16], al           ; cylinders, sectors, heads: emulation only
        mov     [si + 17], ax
        cmp     byte [es:EB_CDMEDIA], 0
        je      .done
        mov     byte [si + 16], 80      ; the diskette: 80 cylinders, its sectors, 2 heads
        mov     al, [es:EB_CDSPT]
        mov     [si + 17], al
        mov     byte [si + 18], 2
        cmp     byte [bp], 0x00         ; AL = 00h: terminate: drive 00h is the real one again
        jne     .done
        mov     byte [es:EB_CDEMU], 0
.done:  pop     ds
        xor     ah, ah
        ret
.bad:   mov     ah, 0x01
        ret

; ---- INT 13h, drive 00h while a diskette is emulated on the CD (El Torito 1.0 diskette emulation)
; The image's 512-byte sectors in the CHS geometry of its diskette (80 cylinders, 2 heads,
; EB_CDSPT sectors per track); reads go to the CD (a 2048-byte block holds four sectors),
; writes and formats are refused (write protected).
cdemu_service:
        call    es_ebda
        mov     ah, [bp + 1]
        cmp     ah, 0x01
        je      .status
        cmp     ah, 0x00                ; reset
        je      .ok
        cmp     ah, 0x02
        je      .read
        cmp     ah, 0x03
        je      .wp
        cmp     ah, 0x04
        je      .verify
        cmp     ah, 0x05
        je      .wp
        cmp     ah, 0x08
        je      .params
        cmp     ah, 0x15
        je      .type
        cmp     ah, 0x16                ; change line: not changed
        je      .ok
        cmp     ah, 0x17                ; set media type: accepted
        je      .ok
        cmp     ah, 0x18
        je      .ok
        cmp     ah, 0x4B
        je      .emul
        mov     ah, 0x01
        jmp     .done
.wp:    mov     byte [bp], 0
        mov     ah, 0x03                ; write protected
        jmp     .done
.verify:
        call    cdemu_chs
        jc      .done
        jmp     .ok
.read:  call    cdemu_read
        jmp     .done
.emul:  call    cd_emulation
        jmp     .done
.type:  mov     ah, 0x01                ; a diskette drive without change line
        mov     byte [BDA_FDSTATUS], 0
        clc
        ret
.params:
        mov     bl, [es:EB_CDMEDIA]
        xor     bh, bh
        mov     al, [cs:bx + emu_cmos - 1]
        mov     [bp + 2], al            ; BL = drive type, BH = 0
        mov     byte [bp + 3], 0
        mov     al, [es:EB_CDSPT]
        mov     [bp + 4], al            ; CL = sectors per track
        mov     byte [bp + 5], 79       ; CH = highest cylinder
        mov     byte [bp + 7], 1        ; DH = highest head
        mov     ax, [BDA_EQUIP]         ; DL = diskette drives (equipment word bits 6-7, + 1)
        mov     cl, 6
        shr     ax, cl
        and     al, 3
        inc     al
        mov     [bp + 6], al
        mov     [bp + 14], cs           ; ES:DI = diskette parameter table
        mov     word [bp + 10], diskette_params
        mov     word [bp], 0
.ok:    xor     ah, ah
.done:  call    es_ebda
        mov     [es:EB_CDLAST], ah
        mov     [BDA_FDSTATUS], ah
        or      ah, ah
        jz      .clc
        stc
        ret
.clc:   clc
        ret
.status:
        mov     ah, [BDA_FDSTATUS]
        or      ah, ah
        jz      .clc
        stc
        ret

; The caller's AL sectors at CH/CL/DH in the emulated diskette -> AX = first sector (LBA),
; CX = count; CF with AH = 04h (sector not found) when they are not all on it. ES = EBDA.
cdemu_chs:
        mov     al, [bp + 4]
        and     al, 0x3F                ; sector, from 1
        jz      .bad
        cmp     al, [es:EB_CDSPT]
        ja      .bad
        cmp     byte [bp + 7], 1        ; head
        ja      .bad
        mov     al, [bp + 4]
        mov     cl, 6
        shr     al, cl
        mov     ah, al
        mov     al, [bp + 5]            ; AX = cylinder
        cmp     ax, 80
        jae     .bad
        shl     ax, 1
        add     al, [bp + 7]            ; cylinder * 2 + head (< 160)
        mul     byte [es:EB_CDSPT]      ; * sectors per track
        mov     cl, [bp + 4]
        and     cl, 0x3F
        dec     cl
        xor     ch, ch
        add     ax, cx                  ; + sector - 1
        mov     cl, [bp]                ; count
        jcxz    .bad
        push    ax
        add     ax, cx
        push    ax
        mov     al, 160
        mul     byte [es:EB_CDSPT]      ; sectors on the diskette
        mov     cx, ax
        pop     ax
        cmp     ax, cx
        pop     ax
        ja      .bad
        mov     cl, [bp]
        xor     ch, ch
        clc
        ret
.bad:   mov     ah, 0x04
        mov     byte [bp], 0
        stc
        ret

; AH=02h: the caller's AL sectors from CH/CL/DH into its ES:BX, one 512-byte sector per packet:
; block = image start + LBA / 4, the sector's 256 words after (LBA mod 4) * 256 others.
; -> AH = status, caller's AL = sectors read.
cdemu_read:
        call    cdemu_chs
        jc      .r
        mov     di, [bp + 2]            ; the caller's ES:BX
        mov     es, [bp + 14]
        xor     si, si                  ; sectors read
.next:  push    cx
        push    ax
        push    es
        push    di
        push    ax
        mov     al, 0x28                ; READ(10), one block
        call    cd_build                ; ES = EBDA
        pop     ax
        push    ax
        and     ax, 3
        mov     cl, 8
        shl     ax, cl
        mov     [es:EB_CDSKIP], ax
        pop     ax
        shr     ax, 1
        shr     ax, 1
        xor     dx, dx
        add     ax, [es:EB_CDRBA]
        adc     dx, [es:EB_CDRBA + 2]
        mov     [es:EB_CDPKT + 2], dh
        mov     [es:EB_CDPKT + 3], dl
        mov     [es:EB_CDPKT + 4], ah
        mov     [es:EB_CDPKT + 5], al
        mov     byte [es:EB_CDPKT + 8], 1
        pop     di
        pop     es
        mov     bx, 256
        call    cd_command
        pop     ax
        pop     cx
        jc      .fail
        inc     si
        inc     ax
        loop    .next
        xor     ah, ah
.fail:  mov     dx, si
        mov     [bp], dl                ; AL = sectors read
.r:     ret

; ---- El Torito boot ---------------------------------------------------------------------------
; The Boot Record Volume Descriptor (block 17), the boot catalog's validation entry (header 01h,
; platform 80x86, key 55h AAh, words summing to zero) and initial/default entry (88h bootable,
; media type, load segment, sector count, load block); a no-emulation image is loaded and run
; at load segment:0000 with DL = E0h. Returns (a message printed) when the CD cannot boot.
; Keeps DS (the BDA).
cd_boot:
        call    cd_ready
        jnc     .ready
        mov     si, msg_cd_nomedia
        cmp     ah, 0x31
        je      .fail
        mov     si, msg_cd_notready
        jmp     .fail
.ready: xor     dx, dx
        mov     ax, 17
        call    cd_read_scratch
        jc      .readerr
        mov     ax, 0x07C0
        mov     es, ax
        xor     di, di
        mov     si, eltorito_record
        mov     cx, eltorito_record_end - eltorito_record
        push    ds
        push    cs
        pop     ds
        repe    cmpsb
        pop     ds
        mov     si, msg_cd_norecord
        jne     .fail
        mov     ax, [es:0x47]           ; the boot catalog's block
        mov     dx, [es:0x49]
        call    cd_read_scratch
        jc      .readerr
        mov     ax, 0x07C0
        mov     es, ax
        mov     si, msg_cd_noval
        cmp     byte [es:0x00], 0x01    ; validation entry: header ID 01h
        jne     .fail
        mov     si, msg_cd_key
        cmp     word [es:0x1E], 0xAA55  ; key bytes 55h AAh
        jne     .fail
        xor     ax, ax
        xor     di, di
        mov     cx, 16
.sum:   add     ax, [es:di]
        inc     di
        inc     di
        loop    .sum
        mov     si, msg_cd_checksum
        or      ax, ax
        jnz     .fail
        mov     si, msg_cd_platform
        cmp     byte [es:0x01], 0x00    ; platform ID 0: 80x86
        jne     .fail
        mov     si, msg_cd_notbootable
        cmp     byte [es:0x20], 0x88    ; initial/default entry: bootable
        jne     .fail
        mov     al, [es:0x21]
        and     al, 0x0F                ; boot media type
        cmp     al, 3
        jbe     .media                  ; no emulation, or a 1.2, 1.44 or 2.88 MiB diskette
        mov     si, msg_cd_emul
        call    print_str
        mov     si, msg_media_unknown
        cmp     al, 4
        ja      .name
        mov     si, msg_media_hd
.name:  call    print_str
        mov     si, msg_cd_emul_end
        jmp     .fail
.media: push    es
        call    es_ebda
        mov     [es:EB_CDMEDIA], al
        pop     es
        mov     bx, [es:0x22]           ; load segment, 0: 07C0h
        or      bx, bx
        jnz     .seg
        mov     bx, 0x07C0
.seg:   mov     cx, [es:0x26]           ; virtual 512-byte sectors
        mov     si, msg_cd_empty
        or      cx, cx
        jz      .fail
        mov     si, msg_cd_low
        cmp     bx, CD_LOAD_MIN
        jb      .fail
        mov     si, msg_cd_big
        cmp     cx, 1280                ; 640 KiB
        ja      .fail
        push    cx
        mov     ax, cx
        mov     cl, 5
        shl     ax, cl                  ; paragraphs
        pop     cx
        add     ax, bx
        jc      .fail
        cmp     ax, [BDA_EBDA]
        ja      .fail
        mov     ax, [es:0x28]           ; the image's first block
        mov     dx, [es:0x2A]
        call    es_ebda
        mov     [es:EB_CDRBA], ax
        mov     [es:EB_CDRBA + 2], dx
        mov     [es:EB_CDSEG], bx
        mov     [es:EB_CDCOUNT], cx
        mov     es, bx
        xor     di, di
        mov     bp, cx                  ; BP = sectors; whole blocks first, 16 at a time
        shr     cx, 1
        shr     cx, 1
.blocks:
        jcxz    .part
        mov     si, cx                  ; blocks left
        cmp     cx, 16
        jbe     .b
        mov     cx, 16
.b:     mov     bx, cx
        push    cx
        mov     cl, 10
        shl     bx, cl                  ; words
        pop     cx
        push    dx
        push    ax
        call    cd_read
        pop     ax
        pop     dx
        jc      .loaderr
        add     ax, cx
        adc     dx, 0
        sub     si, cx
        mov     cx, si
        jmp     .blocks
.part:  mov     bx, bp                  ; the last 1-3 sectors: part of one block
        and     bx, 3
        jz      .go
        mov     cl, 8
        shl     bx, cl                  ; 256 words per sector
        mov     cx, 1
        call    cd_read
        jc      .loaderr
.go:    call    es_ebda
        mov     byte [es:EB_CDBOOT], 1
        mov     dl, CD_DRIVE
        mov     al, [es:EB_CDMEDIA]
        or      al, al
        jz      .jump
        mov     bl, al                  ; diskette emulation: from now on drive 00h is the image
        xor     bh, bh
        mov     al, [cs:bx + emu_spt - 1]
        mov     [es:EB_CDSPT], al
        mov     byte [es:EB_CDEMU], 1
        or      word [BDA_EQUIP], 0x0001 ; at least one diskette drive
        mov     si, msg_cd_emul_on
        call    print_str
        shl     bx, 1
        mov     si, [cs:bx + media_names - 2]
        call    print_str
        mov     si, msg_cd_emul_on_end
        call    print_str
        xor     dl, dl
.jump:  mov     bx, [es:EB_CDSEG]
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        push    bx                      ; far return to load segment:0000
        push    ax
        retf
.loaderr:
        mov     si, msg_cd_loaderr
        jmp     .fail
.readerr:
        mov     si, msg_cd_readerr
.fail:  call    print_str
        ret

; ---------------------------------------------------------------------------------------------
; INT 19h: boot. The order comes from CMOS 3Dh (first device in bits 0-3, second in 4-7) and
; 38h bits 4-7 (third), 1 = floppy, 2 = hard disk, 3 = CD-ROM; all zero: floppy, hard disk.
; ---------------------------------------------------------------------------------------------
int19:
        sti
        cld
        xor     ax, ax
        mov     ss, ax
        mov     sp, STACK_TOP
        mov     ax, BDA
        mov     ds, ax
        call    es_ebda                 ; a new boot: no CD boot, no diskette emulation yet
        mov     byte [es:EB_CDBOOT], 0
        mov     byte [es:EB_CDEMU], 0
        mov     al, 0x3D
        call    cmos_read
        mov     ah, al
        mov     al, 0x38
        call    cmos_read
        mov     cl, 4
        shr     al, cl
        mov     bl, al                  ; BL = third
        mov     bh, ah
        shr     bh, cl                  ; BH = second
        and     ah, 0x0F                ; AH = first
        mov     dx, ax
        or      dx, bx
        jnz     .order
        mov     ah, 1
        mov     bh, 2
.order: mov     al, ah
        call    boot_device
        mov     al, bh
        call    boot_device
        mov     al, bl
        call    boot_device
        int     0x18

; AL = device code: try to boot it; returns only if it could not.
boot_device:
        push    bx
        cmp     al, 1
        je      .floppy
        cmp     al, 2
        je      .hd
        cmp     al, 3
        jne     .out
        call    es_ebda
        mov     si, msg_cd_nodrive
        cmp     byte [es:EB_CD], 0
        je      .msg
        mov     si, msg_boot_cd
        call    print_str
        call    cd_boot                 ; returns only when the CD cannot boot
        jmp     .out
.msg:   call    print_str
        jmp     .out
.floppy:
        mov     al, 0x10
        call    cmos_read
        test    al, 0xF0
        jz      .out
        mov     si, msg_boot_fd
        call    print_str
        xor     dl, dl
        jmp     .try
.hd:    cmp     byte [BDA_HDCOUNT], 0
        je      .out
        mov     si, msg_boot_hd
        call    print_str
        mov     dl, 0x80
.try:   mov     di, 3                   ; three attempts, with a reset in between
.again: xor     ax, ax
        mov     es, ax
        mov     bx, 0x7C00
        mov     ax, 0x0201
        mov     cx, 0x0001
        xor     dh, dh
        push    dx
        int     0x13
        pop     dx
        jnc     .read
        xor     ah, ah
        int     0x13
        dec     di
        jnz     .again
        mov     si, msg_boot_readerr
        call    print_str
        jmp     .out
.read:  cmp     word [es:0x7DFE], 0xAA55
        je      .go
        mov     si, msg_boot_nosig
        call    print_str
.out:   pop     bx
        ret
.go:    xor     ax, ax
        mov     ds, ax
        mov     es, ax
        jmp     0x0000:0x7C00

; ---------------------------------------------------------------------------------------------
; Tables and messages
; ---------------------------------------------------------------------------------------------
vector_table:
        dw 0x08, int08
        dw 0x09, int09
        dw 0x0E, int0e
        dw 0x10, int10
        dw 0x11, int11
        dw 0x12, int12
        dw 0x13, int13
        dw 0x14, int14
        dw 0x15, int15
        dw 0x16, int16
        dw 0x17, int17
        dw 0x18, int18
        dw 0x19, int19
        dw 0x1A, int1a
        dw 0x1E, diskette_params
        dw 0xFFFF

; per CMOS floppy type 1..5: sectors per track, highest cylinder
fd_geometry:
        db 9, 39                        ; 360 KiB
        db 15, 79                       ; 1.2 MiB
        db 9, 79                        ; 720 KiB
        db 18, 79                       ; 1.44 MiB
        db 36, 79                       ; 2.88 MiB

; per CMOS floppy type 1..5: CCR data rate (0 500k, 1 300k, 2 250k, 3 1M), sectors per track
fd_rates:
        db 2, 9
        db 0, 15
        db 2, 9
        db 0, 18
        db 3, 36

; INT 15h C0h: system configuration (model FC = AT; second PIC, RTC, INT 15h 4Fh used)
config_table:
        dw 8
        db 0xFC, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00

; IBM PC scan code set 1 -> ASCII, codes 00h-39h
scancode_normal:
        db 0, 27, '1234567890-=', 8, 9
        db 'qwertyuiop[]', 13, 0
        db "asdfghjkl;'`", 0, '\'
        db 'zxcvbnm,./', 0, '*', 0, ' '
scancode_shift:
        db 0, 27, '!@#$%^&*()_+', 8, 9
        db 'QWERTYUIOP{}', 13, 0
        db 'ASDFGHJKL:"~', 0, '|'
        db 'ZXCVBNM<>?', 0, '*', 0, ' '

msg_banner:       db 'Backplane BIOS', 13, 10, 0
msg_kb_base:      db ' KiB base memory', 0
msg_kb_ext:       db ' KiB extended memory', 0
msg_comma:        db ', ', 0
msg_crlf:         db 13, 10, 0
msg_hd:           db 'Hard disk ', 0
msg_colon:        db ': ', 0
msg_mib:          db ' MiB', 13, 10, 0
msg_nolba:        db 'Hard disk without LBA ignored', 13, 10, 0
msg_boot_fd:      db 'Booting from floppy...', 13, 10, 0
msg_boot_hd:      db 'Booting from hard disk...', 13, 10, 0
msg_boot_cd:      db 'Booting from CD-ROM...', 13, 10, 0
msg_cd:           db 'CD-ROM drive: ', 0
msg_cd_nodrive:   db 'Boot failed: no CD-ROM drive', 13, 10, 0
msg_cd_nomedia:   db 'Boot failed: no medium in the CD-ROM drive', 13, 10, 0
msg_cd_notready:  db 'Boot failed: the CD-ROM drive is not ready', 13, 10, 0
msg_cd_readerr:   db 'Boot failed: could not read the CD', 13, 10, 0
msg_cd_norecord:  db 'Boot failed: not a bootable CD (no El Torito boot record)', 13, 10, 0
msg_cd_noval:     db 'Boot failed: bad El Torito boot catalog (no validation entry)', 13, 10, 0
msg_cd_key:       db 'Boot failed: bad El Torito boot catalog (key is not 55 AA)', 13, 10, 0
msg_cd_checksum:  db 'Boot failed: bad El Torito boot catalog (checksum)', 13, 10, 0
msg_cd_platform:  db 'Boot failed: the El Torito boot catalog is not for 80x86 PCs', 13, 10, 0
msg_cd_notbootable: db 'Boot failed: the CD', 39, 's default boot entry is not bootable', 13, 10, 0
msg_cd_emul:      db 'Boot failed: El Torito ', 0
msg_cd_emul_end:  db ' emulation is not supported (no-emulation and diskette images only)', 13, 10, 0
msg_cd_empty:     db 'Boot failed: the CD', 39, 's boot image has no sectors to load', 13, 10, 0
msg_cd_low:       db 'Boot failed: the CD', 39, 's boot image load segment is below 0700h', 13, 10, 0
msg_cd_big:       db 'Boot failed: the CD', 39, 's boot image does not fit in conventional memory', 13, 10, 0
msg_cd_loaderr:   db 'Boot failed: could not read the CD', 39, 's boot image', 13, 10, 0
msg_cd_emul_on:   db 'CD-ROM: El Torito ', 0
msg_cd_emul_on_end: db ' emulation, drive 00h', 13, 10, 0
msg_media_12:     db '1.2 MiB floppy', 0
msg_media_144:    db '1.44 MiB floppy', 0
msg_media_288:    db '2.88 MiB floppy', 0
msg_media_hd:     db 'hard disk', 0
msg_media_unknown: db 'unknown media type', 0
media_names:      dw msg_media_12, msg_media_144, msg_media_288, msg_media_hd
emu_spt:          db 15, 18, 36             ; per emulated diskette (media type 1, 2, 3)
emu_cmos:         db 2, 4, 5                ; its CMOS drive type (INT 13h AH=08h BL)

; The Boot Record Volume Descriptor's first bytes (El Torito 1.0, section 2.0): type 0, "CD001",
; version 1, and the boot system identifier padded with zeros to 32 bytes.
eltorito_record:  db 0, 'CD001', 1, 'EL TORITO SPECIFICATION'
                  times 32 - 23 db 0
eltorito_record_end:
msg_boot_readerr: db 'Boot failed: could not read the boot sector', 13, 10, 0
msg_boot_nosig:   db 'Boot failed: not a bootable disk', 13, 10, 0
msg_noboot:       db 'No bootable device.', 13, 10, 0

; ---------------------------------------------------------------------------------------------
; Fixed addresses of the IBM PC/AT BIOS that software relies on
; ---------------------------------------------------------------------------------------------
        times 0xEFC7 - ($ - $$) db 0xFF
diskette_params:                         ; INT 1Eh at F000:EFC7 (1.44 MiB values)
        db 0xDF, 0x02, 0x25, 0x02, 0x12, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08

        times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:                            ; F000:FFF0
        jmp     0xF000:post
        db      '11/28/26'               ; F000:FFF5 release date
        db      0
        db      0xFC                     ; F000:FFFE model: AT
        db      0x00
