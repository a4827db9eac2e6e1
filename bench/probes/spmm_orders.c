// SpMM gather orders on a real exported CSR, outside Fathom: what cache blocking of the source
// columns can buy on the R-MAT 1M / 10M benchmark graph (F = 64, f32). Four kernels, all with
// 256-byte register blocks and prefetch as Fathom's, timed best of `reps`:
//   mode 0  plain row order (Fathom's kernel)
//   mode 1  plain, with non-temporal prefetch for the gathers of cold sources
//   mode 2  hot/cold source blocking: per chunk of rows, first the nonzeros whose source is in the
//           hot set (the top sources by degree, `hot_mb` MB of X), then the rest onto the same
//           rows while they are still in cache
//   mode 3  the plain kernel with every source folded into 16 384 rows (X cache-resident): the
//           ceiling when no gather misses
// Build and run (after compare.bench.mjs has exported the graph):
//   gcc -O3 -fopenmp -march=x86-64 -o /tmp/spmm_orders bench/probes/spmm_orders.c
//   cd bench/.cache/graphs/rmat-n1000000-e10000000-f64-c16-s1
//   OMP_NUM_THREADS=2 /tmp/spmm_orders HUGE HOT_MB REPS ROWS_PER_CHUNK [PREFETCH]   e.g. 1 10 8 256 8
// HUGE = 1 advises transparent huge pages on every array (as Fathom's allocator does now).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <omp.h>
static void* rd(const char* p, long* n){FILE*f=fopen(p,"rb");fseek(f,0,SEEK_END);long sz=ftell(f);fseek(f,0,SEEK_SET);char*b=malloc(sz);fread(b,1,sz,f);fclose(f);uint16_t hl=*(uint16_t*)(b+8);*n=(sz-10-hl);void*a=aligned_alloc(64,(*n+63)/64*64);memcpy(a,b+10+hl,*n);free(b);return a;}
static void* big(size_t sz,int huge){void*p=aligned_alloc(2<<20,(sz+(2<<20)-1)/(2<<20)*(2<<20)); if(huge)madvise(p,sz,MADV_HUGEPAGE); else madvise(p,sz,MADV_NOHUGEPAGE); memset(p,0,sz);return p;}
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define F 64
static int PD=8;
static inline void pf(const float*X,int c){const char*p=(const char*)(X+(long)c*F);for(int b=0;b<256;b+=64)__builtin_prefetch(p+b);}
static inline void pfn(const float*X,int c){const char*p=(const char*)(X+(long)c*F);for(int b=0;b<256;b+=64)__builtin_prefetch(p+b,0,0);}
__attribute__((target("avx2")))
static void rows(int r0,int r1,const int*rp,const int*col,const float*v,const float*X,float*Y,int acc,int nnz,const unsigned char*hot){
 for(int r=r0;r<r1;r++){float a[F];if(acc)memcpy(a,Y+(long)r*F,sizeof a);else for(int j=0;j<F;j++)a[j]=0;
  for(int k=rp[r];k<rp[r+1];k++){ if(k+PD<nnz){int c=col[k+PD]; if(hot&&!hot[c])pfn(X,c); else pf(X,c);} float w=v[k];const float*x=X+(long)col[k]*F;for(int j=0;j<F;j++)a[j]+=w*x[j];}
  memcpy(Y+(long)r*F,a,sizeof a);}}
int main(int argc,char**argv){
 long nb; int*rp=rd("gcn_rowptr.npy",&nb); int n=nb/4-1; int*col=rd("gcn_col.npy",&nb); long nnz=nb/4; float*val=rd("gcn_val.npy",&nb);
 int huge=atoi(argv[1]); double hotmb=atof(argv[2]); int reps=atoi(argv[3]);
 float*X=big((size_t)n*F*4,huge),*Y=big((size_t)n*F*4,huge); for(long i=0;i<(long)n*F;i++)X[i]=(i%7)*0.1f;
 int*col2=big(nnz*4,huge); float*v2=big(nnz*4,huge); memcpy(col2,col,nnz*4);memcpy(v2,val,nnz*4); col=col2;val=v2;
 // hot set: top sources by count
 int*cnt=calloc(n,4); for(long k=0;k<nnz;k++)cnt[col[k]]++;
 long K=(long)(hotmb*1048576/256); int*h=calloc(nnz+1,4); for(int i=0;i<n;i++)h[cnt[i]]++; long acc=0;int thr=nnz; while(thr>0&&acc+h[thr]<=K){acc+=h[thr];thr--;} 
 unsigned char*hot=calloc(n,1); long hotnnz=0; for(int i=0;i<n;i++)if(cnt[i]>thr){hot[i]=1;} for(long k=0;k<nnz;k++)hotnnz+=hot[col[k]];
 // split CSRs
 int*rph=malloc((n+1)*4),*rpc=malloc((n+1)*4); int*ch=big(nnz*4,huge),*cc=big(nnz*4,huge); float*vh=big(nnz*4,huge),*vc=big(nnz*4,huge);
 long a1=0,a2=0; rph[0]=rpc[0]=0; for(int r=0;r<n;r++){for(int k=rp[r];k<rp[r+1];k++){if(hot[col[k]]){ch[a1]=col[k];vh[a1++]=val[k];}else{cc[a2]=col[k];vc[a2++]=val[k];}} rph[r+1]=a1;rpc[r+1]=a2;}
 fprintf(stderr,"n=%d nnz=%ld hot K=%ld thr=%d hotnnz frac=%.3f threads=%d\n",n,nnz,acc,thr,(double)hotnnz/nnz,omp_get_max_threads());
 int CH=atoi(argv[4]); if(argc>5)PD=atoi(argv[5]);
 int*colsm=big(nnz*4,huge); for(long k=0;k<nnz;k++)colsm[k]=col[k]&16383;
 for(int mode=0;mode<4;mode++){ double best=1e9;
  for(int it=0;it<reps;it++){ double t=now();
   if(mode==0){
    #pragma omp parallel for schedule(dynamic,64)
    for(int c=0;c<n;c+=CH) rows(c,c+CH<n?c+CH:n,rp,col,val,X,Y,0,nnz,NULL);
   } else if(mode==1){
    #pragma omp parallel for schedule(dynamic,64)
    for(int c=0;c<n;c+=CH) rows(c,c+CH<n?c+CH:n,rp,col,val,X,Y,0,nnz,hot);
   } else if(mode==2){
    #pragma omp parallel for schedule(dynamic,64)
    for(int c=0;c<n;c+=CH){int e=c+CH<n?c+CH:n; rows(c,e,rph,ch,vh,X,Y,0,a1,NULL); rows(c,e,rpc,cc,vc,X,Y,1,a2,NULL);}
   } else {
    #pragma omp parallel for schedule(dynamic,64)
    for(int c=0;c<n;c+=CH) rows(c,c+CH<n?c+CH:n,rp,colsm,val,X,Y,0,nnz,NULL);
   }
   t=now()-t; if(t<best)best=t;}
  double s=0; for(long i=0;i<(long)n*F;i+=997)s+=Y[i];
  printf("mode %d huge %d best %.1f ms chk %.3f\n",mode,huge,best*1e3,s);}
}
